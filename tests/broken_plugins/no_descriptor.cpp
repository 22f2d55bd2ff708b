// Broken plugin: a perfectly good shared library that exports an unrelated function and no
// gradplug descriptor. The registry must skip it as "not a gradplug plugin".
#include <boost/config.hpp>

extern "C" BOOST_SYMBOL_EXPORT int gradplug_test_unrelated_function(int x) { return 2 * x + 1; }
