# civic_warnings: an interface target every project target links to get the
# same warning set. Third-party headers are included as SYSTEM so they stay quiet.
# (-Wnull-dereference is left out: at -O2 GCC 12 reports it inside Asio headers.)
add_library(civic_warnings INTERFACE)
target_compile_options(civic_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
option(CIVIC_WERROR "Treat warnings as errors" ON)
if(CIVIC_WERROR)
  target_compile_options(civic_warnings INTERFACE -Werror)
endif()
