#include "cli/cli.hpp"

int main(int argc, char** argv) { return gradplug::host::run(argc, argv); }
