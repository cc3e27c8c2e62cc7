# The installed package: one export set per layer, so find_package(routecat CONFIG COMPONENTS catalog)
# loads core and catalog and looks up only what those two need (see routecatConfig.cmake.in). Without
# components it loads every layer and the umbrella routecat::routecat.
include(CMakePackageConfigHelpers)
set(ROUTECAT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/routecat)

foreach(layer IN LISTS ROUTECAT_LAYERS)
  install(TARGETS routecat_${layer} EXPORT routecat-${layer}-targets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT routecat-${layer}-targets NAMESPACE routecat:: DESTINATION ${ROUTECAT_CMAKE_DIR})
endforeach()
install(TARGETS routecat EXPORT routecat-targets)
install(EXPORT routecat-targets NAMESPACE routecat:: DESTINATION ${ROUTECAT_CMAKE_DIR})
install(DIRECTORY include/routecat DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

configure_package_config_file(cmake/routecatConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/routecatConfig.cmake
  INSTALL_DESTINATION ${ROUTECAT_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/routecatConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/routecatConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/routecatConfigVersion.cmake
  DESTINATION ${ROUTECAT_CMAKE_DIR})
