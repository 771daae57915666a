# Used by every CMake build that cargo drives (see .cargo/config.toml).
# The WAMR engine inside v8x (QuickJS backend) fetches simde with FetchContent;
# use the headers installed by Debian's libsimde-dev instead of the network.
set(FETCHCONTENT_SOURCE_DIR_SIMDE "/usr/include" CACHE PATH "simde headers from libsimde-dev")
set(FETCHCONTENT_FULLY_DISCONNECTED ON CACHE BOOL "never download during the build")
