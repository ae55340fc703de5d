# lakesync_add_module(NAME DEPS ...): one static library per folder of src/lakesync.
# Sources are every .cc in the folder except *_test.cc; tests (*_test.cc) form one
# GoogleTest binary per module, lakesync_NAME_test, registered with ctest.
set(LAKESYNC_SRC_ROOT ${CMAKE_SOURCE_DIR}/src)

function(lakesync_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Wno-missing-field-initializers)
  # GCC 12's flow-based warnings misfire inside libstdc++ at -O2 and above: -Wrestrict in
  # std::string operator+ (GCC bug 105329), -Wstringop-overflow and -Warray-bounds in
  # std::vector growth, -Wmaybe-uninitialized through std::optional and std::variant (all
  # reported against GCC 12 upstream). They stay on for other compilers and GCC 13+; the
  # ASan/UBSan preset checks at run time what these warnings guess at.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-stringop-overflow
                                             -Wno-array-bounds -Wno-maybe-uninitialized)
  endif()
  if(LAKESYNC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(lakesync_add_module name)
  cmake_parse_arguments(ARG "TEST_POSTGRES" "" "DEPS;TEST_DEPS" ${ARGN})
  set(dir ${LAKESYNC_SRC_ROOT}/lakesync/${name})
  file(GLOB srcs CONFIGURE_DEPENDS ${dir}/*.cc ${dir}/*/*.cc)
  list(FILTER srcs EXCLUDE REGEX "_test\\.cc$")
  list(FILTER srcs EXCLUDE REGEX "/main\\.cc$")
  set(target lakesync_${name})
  if(srcs)
    add_library(${target} STATIC ${srcs})
    target_include_directories(${target} PUBLIC ${LAKESYNC_SRC_ROOT})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} Threads::Threads)
    lakesync_warnings(${target})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${LAKESYNC_SRC_ROOT})
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()

  if(LAKESYNC_BUILD_TESTS)
    file(GLOB tests CONFIGURE_DEPENDS ${dir}/*_test.cc ${dir}/*/*_test.cc)
    if(tests)
      set(pg_flag)
      if(ARG_TEST_POSTGRES)
        set(pg_flag POSTGRES)
      endif()
      lakesync_add_test(${target}_test SOURCES ${tests} DEPS ${target} ${ARG_TEST_DEPS} ${pg_flag})
    endif()
  endif()
endfunction()

# lakesync_add_test(NAME SOURCES ... DEPS ... [POSTGRES] [LABELS ...]): a GoogleTest binary
# whose tests ctest lists one by one. POSTGRES makes them require the throwaway PostgreSQL
# fixture; LABELS are ctest labels (ctest -L) for all of them.
function(lakesync_add_test name)
  cmake_parse_arguments(ARG "POSTGRES" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} lakesync_testing GTest::gtest_main GTest::gmock)
  lakesync_warnings(${name})
  # Only one ENVIRONMENT entry survives gtest_discover_tests; other paths are compiled into
  # lakesync_testing (testing/test_paths.h).
  set(props ENVIRONMENT "LAKESYNC_SHARED_DIR=${CMAKE_SOURCE_DIR}/../shared")
  if(ARG_POSTGRES)
    list(APPEND props FIXTURES_REQUIRED postgres)
  endif()
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  include(GoogleTest)
  gtest_discover_tests(${name} PROPERTIES ${props} DISCOVERY_TIMEOUT 60)
endfunction()
