#include "lakesync/storage/s3_xml.h"

#include <gtest/gtest.h>

namespace lakesync::storage {
namespace {

TEST(S3XmlTest, ListPageWithEscapedKeysPrefixesAndToken) {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>t/</Prefix>
<KeyCount>3</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&amp;x</NextContinuationToken>
<Contents><Key>t/a&amp;b &lt;c&gt;.parquet</Key><LastModified>2013-09-17T18:07:53.000Z</LastModified>
<ETag>&quot;599bab3ed2c697f1d26842727561fd94&quot;</ETag><Size>857</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>t/&#233;&#x4E2D;</Key><LastModified>2013-09-17T18:07:53.250Z</LastModified><Size>0</Size></Contents>
<CommonPrefixes><Prefix>t/_delta_log/</Prefix></CommonPrefixes></ListBucketResult>)";
  auto page = ParseListObjectsV2(xml);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "t/a&b <c>.parquet");
  EXPECT_EQ(page->objects[0].size, 857);
  EXPECT_EQ(page->objects[0].mtime_ms, 1379441273000);
  EXPECT_EQ(page->objects[1].key, "t/\xc3\xa9\xe4\xb8\xad");
  EXPECT_EQ(page->objects[1].mtime_ms, 1379441273250);
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"t/_delta_log/"});
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&x");
}

TEST(S3XmlTest, TruncatedPageWithoutTokenAndNonListingsAreCorruption) {
  EXPECT_TRUE(
      ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
          .status()
          .IsCorruption());
  EXPECT_TRUE(ParseListObjectsV2("<html>proxy error</html>").status().IsCorruption());
}

TEST(S3XmlTest, ErrorBody) {
  auto err = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not "
      "exist.</Message><Key>a&amp;b</Key></Error>");
  EXPECT_EQ(err.code, "NoSuchKey");
  EXPECT_EQ(err.message, "The specified key does not exist.");
  EXPECT_EQ(ParseS3Error("").code, "");
}

TEST(S3XmlTest, BothTimeFormatsS3Uses) {
  EXPECT_EQ(*ParseS3TimeMs("Tue, 17 Sep 2013 18:07:53 GMT"), 1379441273000);
  EXPECT_EQ(*ParseS3TimeMs("2013-09-17T18:07:53Z"), 1379441273000);
  EXPECT_EQ(*ParseS3TimeMs("1970-01-01T00:00:00.5Z"), 500);
  EXPECT_TRUE(ParseS3TimeMs("yesterday").status().IsInvalidArgument());
}

}  // namespace
}  // namespace lakesync::storage
