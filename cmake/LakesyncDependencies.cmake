# Every third-party library lakesync links, found once. All come from Debian packages
# listed in deps/debian-packages.txt.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
if(LAKESYNC_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(LAKESYNC_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

pkg_check_modules(SIMDJSON REQUIRED IMPORTED_TARGET simdjson)
pkg_check_modules(SNAPPY_PC IMPORTED_TARGET snappy)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(BROTLI REQUIRED IMPORTED_TARGET libbrotlidec libbrotlienc)
pkg_check_modules(TOMLPLUSPLUS REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

add_library(lakesync::simdjson INTERFACE IMPORTED)
target_link_libraries(lakesync::simdjson INTERFACE PkgConfig::SIMDJSON)

# Debian's snappy ships no pkg-config file in every release: fall back to the plain library.
add_library(lakesync::codecs INTERFACE IMPORTED)
if(SNAPPY_PC_FOUND)
  target_link_libraries(lakesync::codecs INTERFACE PkgConfig::SNAPPY_PC)
else()
  find_library(SNAPPY_LIBRARY snappy REQUIRED)
  target_link_libraries(lakesync::codecs INTERFACE ${SNAPPY_LIBRARY})
endif()
target_link_libraries(lakesync::codecs INTERFACE PkgConfig::ZSTD PkgConfig::LZ4 PkgConfig::BROTLI
                                                 ZLIB::ZLIB)
# Debian's CRoaring ships neither a pkg-config nor a CMake file.
find_library(ROARING_LIBRARY roaring REQUIRED)
add_library(lakesync::roaring INTERFACE IMPORTED)
target_link_libraries(lakesync::roaring INTERFACE ${ROARING_LIBRARY})
