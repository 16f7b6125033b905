# SPDX-License-Identifier: Apache-2.0
# Which newsroom-kiosk a build is. The release is defined in one place, project(VERSION) in the root CMakeLists.txt;
# this file adds the commit for development builds, at configure time (and again whenever HEAD moves: see the end).
#
#   NK_VERSION_FULL   what --version, /status.json, /metrics (build_info) and the first log line say:
#                       0.2.0                 a release: HEAD is the tag v0.2.0, or there is no git checkout
#                                             (a source tarball);
#                       0.2.0+git.abc1234     a development build: the release it leads to, plus the commit.
#   NK_DEB_VERSION    the .deb's Version, which dpkg and apt must order (dpkg --compare-versions):
#                       0.2.0                                  a release;
#                       0.2.0~git20261207.084012.abc1234       development towards 0.2.0 (no tag v0.2.0 yet);
#                       0.2.0+git20261207.084012.abc1234       development after the tag v0.2.0 (VERSION not bumped yet).
#     '~' sorts before anything, so 0.1.0 < 0.2.0~git... < 0.2.0: the release replaces every development package
#     built on its way, and a later development build (later commit time, UTC) replaces an earlier one. The commit
#     time comes first because hashes do not sort; the hash only names the commit. After the tag, '+' keeps later
#     builds above the release until VERSION is bumped (configure warns: bump it in the first commit after a
#     release).
#
# NK_VERSION_FULL reaches the code through one generated file (src/core/version.cpp.in -> nk::version()), so a new
# commit recompiles one file, not every file that prints the version.

set(NK_VERSION_FULL "${PROJECT_VERSION}")
set(NK_DEB_VERSION "${PROJECT_VERSION}")
set(NK_VERSION_COMMIT "")
set(_nk_tag "v${PROJECT_VERSION}")

find_package(Git QUIET)
set(_nk_git_top "")
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} -C ${PROJECT_SOURCE_DIR} rev-parse --show-toplevel
                  OUTPUT_VARIABLE _nk_git_top RESULT_VARIABLE _nk_rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _nk_rc EQUAL 0)
    set(_nk_git_top "")
  endif()
endif()
# Only this project's own checkout counts: a tarball unpacked inside some other repository has no commit of ours.
if(_nk_git_top)
  file(REAL_PATH "${_nk_git_top}" _nk_git_top)
  file(REAL_PATH "${PROJECT_SOURCE_DIR}" _nk_src)
  if(NOT _nk_git_top STREQUAL _nk_src)
    set(_nk_git_top "")
  endif()
endif()

if(_nk_git_top)
  macro(_nk_git out)
    execute_process(COMMAND ${CMAKE_COMMAND} -E env TZ=UTC ${GIT_EXECUTABLE} -C ${PROJECT_SOURCE_DIR} ${ARGN}
                    OUTPUT_VARIABLE ${out} RESULT_VARIABLE _nk_rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT _nk_rc EQUAL 0)
      set(${out} "")
    endif()
  endmacro()
  _nk_git(_nk_commit rev-parse --short=7 HEAD)
  _nk_git(_nk_when show -s --format=%cd --date=format-local:%Y%m%d.%H%M%S HEAD)
  _nk_git(_nk_tag_at_head tag --list ${_nk_tag} --points-at HEAD)
  _nk_git(_nk_tag_commit rev-parse -q --verify "refs/tags/${_nk_tag}^{commit}")
  if(_nk_commit AND NOT _nk_tag_at_head STREQUAL _nk_tag)
    set(NK_VERSION_COMMIT "${_nk_commit}")
    set(NK_VERSION_FULL "${PROJECT_VERSION}+git.${_nk_commit}")
    if(_nk_tag_commit)
      set(NK_DEB_VERSION "${PROJECT_VERSION}+git${_nk_when}.${_nk_commit}")
      message(WARNING "newsroom-kiosk: ${_nk_tag} is tagged and HEAD is past it, but project(VERSION) still says "
                      "${PROJECT_VERSION}: bump it in CMakeLists.txt for the next release (cmake/Version.cmake)")
    else()
      set(NK_DEB_VERSION "${PROJECT_VERSION}~git${_nk_when}.${_nk_commit}")
    endif()
  endif()

  # Configure again when HEAD moves (a commit, a checkout, a reset), so the version never names an older commit.
  # Only files that exist: a missing one would make every build reconfigure.
  _nk_git(_nk_ref symbolic-ref -q HEAD)
  foreach(p HEAD ${_nk_ref} packed-refs)
    _nk_git(_nk_path rev-parse --git-path ${p})
    if(_nk_path)
      get_filename_component(_nk_path "${_nk_path}" ABSOLUTE BASE_DIR ${PROJECT_SOURCE_DIR})
      if(EXISTS "${_nk_path}")
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_nk_path}")
      endif()
    endif()
  endforeach()
endif()
message(STATUS "newsroom-kiosk: version ${NK_VERSION_FULL}, package ${NK_DEB_VERSION}")
