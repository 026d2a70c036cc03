# CIVIC_SANITIZE: a comma-separated list passed to -fsanitize (the dev preset
# sets address,undefined).
set(CIVIC_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")
if(CIVIC_SANITIZE)
  add_compile_options(-fsanitize=${CIVIC_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${CIVIC_SANITIZE})
endif()
