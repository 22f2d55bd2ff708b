// "Did you mean" suggestions for misspelled names, and lists of the valid ones.
#pragma once

#include <string>
#include <vector>

namespace gradplug::host {

// The closest candidate within a small edit distance, or "" when none is close.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);
// "a, b, c"
std::string join(const std::vector<std::string>& items, const std::string& separator = ", ");

}  // namespace gradplug::host
