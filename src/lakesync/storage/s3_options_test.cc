#include "lakesync/storage/s3_options.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace lakesync::storage {
namespace {

class S3OptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lakesync_s3opts_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / ".aws");
    env_["HOME"] = dir_.string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void WriteAws(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / ".aws" / name) << text;
  }
  Result<S3Options> Load() {
    return S3Options::FromEnvironment([this](const std::string& k) -> std::optional<std::string> {
      auto it = env_.find(k);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    });
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(S3OptionsTest, NothingConfiguredIsAnonymousAwsInUsEast1) {
  auto o = Load();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->credentials.anonymous());
  EXPECT_EQ(o->region, "us-east-1");
  EXPECT_EQ(o->endpoint, "");
  EXPECT_FALSE(o->path_style.has_value());
}

TEST_F(S3OptionsTest, EnvironmentKeysWinOverTheCredentialsFile) {
  WriteAws("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FS\n");
  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env_["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
  env_["AWS_SESSION_TOKEN"] = "TOKEN";
  auto o = Load();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(o->credentials.secret_access_key, "ENVSECRET");
  EXPECT_EQ(o->credentials.session_token, "TOKEN");
}

TEST_F(S3OptionsTest, ProfileComesFromAwsProfileInBothFiles) {
  WriteAws("credentials",
           "# comment\n[default]\naws_access_key_id=D\naws_secret_access_key=DS\n\n"
           "[lake]\naws_access_key_id = L\naws_secret_access_key = LS\naws_session_token = LT\n");
  WriteAws("config",
           "[default]\nregion = eu-west-1\n[profile lake]\nregion = eu-central-1\n"
           "endpoint_url = http://minio:9000\ns3 =\n  addressing_style = path\n");
  env_["AWS_PROFILE"] = "lake";
  auto o = Load();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->credentials.access_key_id, "L");
  EXPECT_EQ(o->credentials.secret_access_key, "LS");
  EXPECT_EQ(o->credentials.session_token, "LT");
  EXPECT_EQ(o->region, "eu-central-1");
  EXPECT_EQ(o->endpoint, "http://minio:9000");
}

TEST_F(S3OptionsTest, FileLocationsComeFromTheEnvironment) {
  const std::string creds = (dir_ / "elsewhere_credentials").string();
  std::ofstream(creds) << "[default]\naws_access_key_id = E\naws_secret_access_key = ES\n";
  env_["AWS_SHARED_CREDENTIALS_FILE"] = creds;
  auto o = Load();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->credentials.access_key_id, "E");
}

TEST_F(S3OptionsTest, RegionAndEndpointPrecedence) {
  WriteAws("config", "[default]\nregion = from-config\nendpoint_url = http://config\n");
  auto o = Load();
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->region, "from-config");
  EXPECT_EQ(o->endpoint, "http://config");
  env_["AWS_DEFAULT_REGION"] = "default-region";
  env_["AWS_ENDPOINT_URL"] = "http://generic";
  o = Load();
  EXPECT_EQ(o->region, "default-region");
  EXPECT_EQ(o->endpoint, "http://generic");
  env_["AWS_REGION"] = "region";
  env_["AWS_ENDPOINT_URL_S3"] = "http://s3-specific";
  o = Load();
  EXPECT_EQ(o->region, "region");
  EXPECT_EQ(o->endpoint, "http://s3-specific");
}

TEST_F(S3OptionsTest, CaBundleFromTheEnvironmentOrTheProfile) {
  WriteAws("config", "[default]\nca_bundle = /etc/profile-ca.pem\n");
  EXPECT_EQ(Load()->ca_bundle, "/etc/profile-ca.pem");
  env_["AWS_CA_BUNDLE"] = "/etc/env-ca.pem";
  EXPECT_EQ(Load()->ca_bundle, "/etc/env-ca.pem");
}

TEST_F(S3OptionsTest, PathStyleFromTheEnvironment) {
  env_["AWS_S3_FORCE_PATH_STYLE"] = "true";
  EXPECT_EQ(Load()->path_style, std::optional<bool>(true));
  env_["AWS_S3_FORCE_PATH_STYLE"] = "FALSE";
  EXPECT_EQ(Load()->path_style, std::optional<bool>(false));
  env_["AWS_S3_FORCE_PATH_STYLE"] = "sometimes";
  EXPECT_TRUE(Load().status().IsInvalidArgument());
}

TEST_F(S3OptionsTest, MistakesAreInvalidArgumentsSayingWhat) {
  env_["AWS_ACCESS_KEY_ID"] = "K";
  Status st = Load().status();
  EXPECT_TRUE(st.IsInvalidArgument()) << st;
  EXPECT_NE(st.message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos) << st;
  env_.erase("AWS_ACCESS_KEY_ID");

  env_["AWS_PROFILE"] = "nope";
  st = Load().status();
  EXPECT_TRUE(st.IsInvalidArgument()) << st;
  EXPECT_NE(st.message().find("'nope'"), std::string::npos) << st;
  env_.erase("AWS_PROFILE");

  WriteAws("credentials", "[default]\naws_access_key_id = K\nthis line has no equals\n");
  st = Load().status();
  EXPECT_TRUE(st.IsInvalidArgument()) << st;
  EXPECT_NE(st.message().find("credentials line 3"), std::string::npos) << st;
}

}  // namespace
}  // namespace lakesync::storage
