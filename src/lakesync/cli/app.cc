#include "lakesync/cli/app.h"

#include <CLI/CLI.hpp>

namespace lakesync::cli {

int Main(int argc, char** argv) {
  CLI::App app{"lakesync: keep PostgreSQL tables in sync with Delta Lake tables"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace lakesync::cli
