#include "deltagen/fields.h"

#include <utility>

namespace lakesync::deltagen {

Field MakeField(std::string name, DataType type, bool nullable) {
  Field f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.nullable = nullable;
  return f;
}

}  // namespace lakesync::deltagen
