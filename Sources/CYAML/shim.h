// libyaml's event API from Debian's libyaml-dev.
#include <yaml.h>
