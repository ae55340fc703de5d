#include "lakesync/cli/app.h"

int main(int argc, char** argv) { return lakesync::cli::Main(argc, argv); }
