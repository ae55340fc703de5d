// Shorthand for stating the schemas deltagen writes (all-types, user profiles, checkpoints).
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "lakesync/common/data_type.h"

namespace lakesync::deltagen {

/// A field named `name` of `type`; no field id.
Field MakeField(std::string name, DataType type, bool nullable = true);

}  // namespace lakesync::deltagen
