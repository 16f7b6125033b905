# SPDX-License-Identifier: Apache-2.0
# nk_embed_files(<target> NAMESPACE ns FILES f...): a static library exposing each file's bytes as
#   const std::span<const unsigned char> <ns>::files[] with names, so the binary carries its demo
# content and needs no data directory to show something real on first start.
function(nk_embed_files target)
  cmake_parse_arguments(E "" "NAMESPACE" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}.cpp)
  # A ';' list would be split into separate shell words on the way to the script.
  string(REPLACE ";" "|" files_arg "${E_FILES}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${E_NAMESPACE} "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedGen.cmake
    DEPENDS ${E_FILES} ${PROJECT_SOURCE_DIR}/cmake/EmbedGen.cmake
    COMMENT "Embedding ${target}" VERBATIM)
  add_library(${target} STATIC ${out})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
endfunction()
