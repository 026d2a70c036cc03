# Every third-party dependency is found here, once, and exposed as an imported
# target so the rest of the tree never spells include paths or library names.
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG)
find_package(simdjson REQUIRED CONFIG)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)

find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)
add_library(civic_rapidjson INTERFACE)
target_include_directories(civic_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIR})
# std::string overloads in RapidJSON's API. Not RAPIDJSON_SSE2: its reader then
# loads whole aligned 16-byte blocks, reading past the end of the input (within
# the page, but out of bounds: AddressSanitizer stops every parse of a short
# heap string, and no reader of untrusted input should do it).
target_compile_definitions(civic_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)

find_path(DOCTEST_INCLUDE_DIR doctest/doctest.h REQUIRED)
add_library(civic_doctest INTERFACE)
target_include_directories(civic_doctest SYSTEM INTERFACE ${DOCTEST_INCLUDE_DIR})

# The sentence encoder (consumers/classify/model): SentencePiece pieces, Eigen arithmetic.
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
find_path(EIGEN3_INCLUDE_DIR Eigen/Core PATH_SUFFIXES eigen3 REQUIRED)
add_library(civic_eigen INTERFACE)
target_include_directories(civic_eigen SYSTEM INTERFACE ${EIGEN3_INCLUDE_DIR})

# Rules and service configuration files (consumers/classify).
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
