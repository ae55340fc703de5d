// The signer against the worked examples of the AWS documentation ("Signature Calculations for
// the Authorization Header", Amazon S3 API reference) and the SigV4 test suite.
#include "lakesync/storage/sigv4.h"

#include <gtest/gtest.h>

namespace lakesync::storage {
namespace {

const AwsCredentials kS3DocCredentials{"AKIAIOSFODNN7EXAMPLE",
                                       "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigV4Test, EmptyPayloadHash) { EXPECT_EQ(HexSha256(""), kEmptySha256); }

TEST(SigV4Test, S3DocGetObjectExample) {
  SigV4Request req{"GET",
                   "/test.txt",
                   {},
                   {{"Host", "examplebucket.s3.amazonaws.com"},
                    {"Range", "bytes=0-9"},
                    {"x-amz-content-sha256", kEmptySha256},
                    {"x-amz-date", "20130524T000000Z"}},
                   kEmptySha256};
  EXPECT_EQ(CanonicalRequest(req),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                kEmptySha256 + "\nx-amz-date:20130524T000000Z\n\n" +
                "host;range;x-amz-content-sha256;x-amz-date\n" + kEmptySha256);
  EXPECT_EQ(HexSha256(CanonicalRequest(req)),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(AuthorizationHeader(req, kS3DocCredentials, "us-east-1", "s3", "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, S3DocPutObjectExampleEncodesTheKey) {
  const std::string body = "Welcome to Amazon S3.";
  const std::string body_hash = HexSha256(body);
  EXPECT_EQ(body_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Request req{"PUT",
                   "/" + UriEncode("test$file.text", false),
                   {},
                   {{"Host", "examplebucket.s3.amazonaws.com"},
                    {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                    {"x-amz-date", "20130524T000000Z"},
                    {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                    {"x-amz-content-sha256", body_hash}},
                   body_hash};
  EXPECT_EQ(req.canonical_uri, "/test%24file.text");
  EXPECT_EQ(AuthorizationHeader(req, kS3DocCredentials, "us-east-1", "s3", "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4Test, S3DocListObjectsExampleSortsTheQuery) {
  SigV4Request req{"GET",
                   "/",
                   {{"prefix", "J"}, {"max-keys", "2"}},
                   {{"Host", "examplebucket.s3.amazonaws.com"},
                    {"x-amz-date", "20130524T000000Z"},
                    {"x-amz-content-sha256", kEmptySha256}},
                   kEmptySha256};
  EXPECT_EQ(CanonicalQueryString(req.query), "max-keys=2&prefix=J");
  EXPECT_EQ(AuthorizationHeader(req, kS3DocCredentials, "us-east-1", "s3", "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

// aws-sig-v4-test-suite: get-vanilla-query-order-key-case (service "service", no payload header).
TEST(SigV4Test, TestSuiteVanillaQueryOrder) {
  SigV4Request req{"GET",
                   "/",
                   {{"Param2", "value2"}, {"Param1", "value1"}},
                   {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
                   kEmptySha256};
  const AwsCredentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(AuthorizationHeader(req, creds, "us-east-1", "service", "20150830T123600Z"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
            "SignedHeaders=host;x-amz-date,"
            "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Test, UriEncodingKeepsUnreservedAndSlashOnlyInPaths) {
  EXPECT_EQ(UriEncode("a b/c=d%e~f_g.h-i", false), "a%20b/c%3Dd%25e~f_g.h-i");
  EXPECT_EQ(UriEncode("a/b", true), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xa9", true), "%C3%A9");
}

TEST(SigV4Test, HeaderValuesAreTrimmedAndSpacesCollapsed) {
  SigV4Request req{"GET", "/", {}, {{"X-Test", "  a   b  "}, {"host", "h"}}, kEmptySha256};
  std::string names;
  EXPECT_NE(CanonicalRequest(req, &names).find("x-test:a b\n"), std::string::npos);
  EXPECT_EQ(names, "host;x-test");
}

}  // namespace
}  // namespace lakesync::storage
