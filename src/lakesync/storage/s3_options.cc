#include "lakesync/storage/s3_options.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "lakesync/common/macros.h"
#include "lakesync/common/strings.h"

namespace lakesync::storage {
namespace {

std::string Trim(std::string s) {
  const auto not_space = [](char c) { return c != ' ' && c != '\t' && c != '\r'; };
  while (!s.empty() && !not_space(s.back())) s.pop_back();
  size_t i = 0;
  while (i < s.size() && !not_space(s[i])) ++i;
  return s.substr(i);
}

using Ini = std::map<std::string, std::map<std::string, std::string>>;

// Reads `path` if present; an absent file is an empty one (the AWS tools treat it so).
Result<Ini> LoadIni(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Ini{};
  std::stringstream text;
  text << in.rdbuf();
  return ParseAwsIni(text.str(), path);
}

}  // namespace

Result<Ini> ParseAwsIni(const std::string& text, const std::string& file_name) {
  Ini out;
  std::string section;
  bool in_section = false;
  std::istringstream lines(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(lines, raw)) {
    ++line_no;
    const bool indented = !raw.empty() && (raw[0] == ' ' || raw[0] == '\t');
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return Status::InvalidArgument("{} line {}: unterminated section header", file_name,
                                       line_no);
      }
      section = Trim(line.substr(1, line.size() - 2));
      if (section.starts_with("profile ")) section = Trim(section.substr(8));
      in_section = true;
      out[section];
      continue;
    }
    if (indented) continue;  // a nested setting (e.g. under "s3 =")
    if (!in_section) {
      return Status::InvalidArgument("{} line {}: setting outside a [section]", file_name, line_no);
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("{} line {}: expected 'name = value'", file_name, line_no);
    }
    out[section][Trim(line.substr(0, eq))] = Trim(line.substr(eq + 1));
  }
  return out;
}

Result<S3Options> S3Options::FromEnvironment(
    const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  auto env = [&](const std::string& name) -> std::string {
    if (getenv) return getenv(name).value_or("");
    const char* v = std::getenv(name.c_str());
    return v ? v : "";
  };
  S3Options opts;
  const std::string home = env("HOME");
  const std::string aws_dir = home.empty() ? std::string(".aws") : home + "/.aws";
  std::string credentials_file = env("AWS_SHARED_CREDENTIALS_FILE");
  if (credentials_file.empty()) credentials_file = aws_dir + "/credentials";
  std::string config_file = env("AWS_CONFIG_FILE");
  if (config_file.empty()) config_file = aws_dir + "/config";
  std::string profile = env("AWS_PROFILE");
  const bool profile_named = !profile.empty();
  if (profile.empty()) profile = "default";

  LAKESYNC_ASSIGN_OR_RETURN(Ini credentials_ini, LoadIni(credentials_file));
  LAKESYNC_ASSIGN_OR_RETURN(Ini config_ini, LoadIni(config_file));
  const auto in_creds = credentials_ini.find(profile);
  const auto in_config = config_ini.find(profile);
  if (profile_named && in_creds == credentials_ini.end() && in_config == config_ini.end()) {
    return Status::InvalidArgument("AWS profile '{}' (AWS_PROFILE) is in neither {} nor {}",
                                   profile, credentials_file, config_file);
  }
  auto setting = [&](const std::string& key) -> std::string {
    if (in_creds != credentials_ini.end()) {
      auto it = in_creds->second.find(key);
      if (it != in_creds->second.end()) return it->second;
    }
    if (in_config != config_ini.end()) {
      auto it = in_config->second.find(key);
      if (it != in_config->second.end()) return it->second;
    }
    return "";
  };

  const std::string env_key = env("AWS_ACCESS_KEY_ID");
  const std::string env_secret = env("AWS_SECRET_ACCESS_KEY");
  if (env_key.empty() != env_secret.empty()) {
    return Status::InvalidArgument(
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (only {} is set)",
        env_key.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
  }
  if (!env_key.empty()) {
    opts.credentials = {env_key, env_secret, env("AWS_SESSION_TOKEN")};
  } else {
    opts.credentials = {setting("aws_access_key_id"), setting("aws_secret_access_key"),
                        setting("aws_session_token")};
    if (opts.credentials.access_key_id.empty() != opts.credentials.secret_access_key.empty()) {
      return Status::InvalidArgument(
          "AWS profile '{}' has only one of aws_access_key_id and aws_secret_access_key", profile);
    }
  }

  for (const std::string& value :
       {env("AWS_REGION"), env("AWS_DEFAULT_REGION"), setting("region")}) {
    if (!value.empty()) {
      opts.region = value;
      break;
    }
  }
  for (const std::string& value :
       {env("AWS_ENDPOINT_URL_S3"), env("AWS_ENDPOINT_URL"), setting("endpoint_url")}) {
    if (!value.empty()) {
      opts.endpoint = value;
      break;
    }
  }
  opts.ca_bundle = env("AWS_CA_BUNDLE");
  if (opts.ca_bundle.empty()) opts.ca_bundle = setting("ca_bundle");
  const std::string path_style = env("AWS_S3_FORCE_PATH_STYLE");
  if (!path_style.empty()) {
    if (EqualsIgnoreCase(path_style, "true") || path_style == "1") {
      opts.path_style = true;
    } else if (EqualsIgnoreCase(path_style, "false") || path_style == "0") {
      opts.path_style = false;
    } else {
      return Status::InvalidArgument("AWS_S3_FORCE_PATH_STYLE must be true or false, not '{}'",
                                     path_style);
    }
  }
  return opts;
}

}  // namespace lakesync::storage
