# CIVIC_SANITIZE: a comma-separated list passed to -fsanitize (the dev preset
# sets address,undefined).
set(CIVIC_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")
if(CIVIC_SANITIZE)
  add_compile_options(-fsanitize=${CIVIC_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${CIVIC_SANITIZE})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CIVIC_SANITIZE MATCHES "undefined")
    # RapidJSON 1.1.0 (Debian 12) computes null + n in internal/stack.h on the first
    # write to every buffer, which clang's pointer-overflow check reports (fixed
    # upstream after 1.1.0). Only that check is left out, and only for clang.
    add_compile_options(-fno-sanitize=pointer-overflow)
  endif()
endif()
