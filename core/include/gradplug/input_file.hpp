// Reading an input file whole, within a size limit (limits.hpp). The one way gradplug reads a
// config, a data file, a model or a run record: a directory, a missing or unreadable file, or an
// endless one such as /dev/zero gets an Error naming the path, never a hang or exhausted memory.
// FIFOs and other streams are read as they come, up to the same limit.
#pragma once

#include <cstddef>
#include <string>

namespace gradplug {

// `what` names the kind of file in messages ("config file", "model file", ...).
std::string read_input_file(const std::string& path, std::size_t limit, const std::string& what);

// "16 MiB", "2 GiB": a limit as people read it.
std::string format_bytes(std::size_t bytes);

}  // namespace gradplug
