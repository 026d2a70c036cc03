// Boost.URL compiled once into the gateway (Debian ships its headers only).
#include <boost/url/src.hpp>
