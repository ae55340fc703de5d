#include "lakesync/storage/s3_xml.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace lakesync::storage {
namespace {

// The text of the first <tag>...</tag> in `xml` (raw, not unescaped); npos-safe.
bool FindElement(std::string_view xml, std::string_view tag, std::string_view* text,
                 size_t* end = nullptr) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const size_t b = xml.find(open);
  if (b == std::string_view::npos) return false;
  const size_t start = b + open.size();
  const size_t e = xml.find(close, start);
  if (e == std::string_view::npos) return false;
  *text = xml.substr(start, e - start);
  if (end != nullptr) *end = e + close.size();
  return true;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const size_t semi = text.find(';', i);
    if (semi == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    const std::string_view ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out += '&';
    } else if (ent == "lt") {
      out += '<';
    } else if (ent == "gt") {
      out += '>';
    } else if (ent == "quot") {
      out += '"';
    } else if (ent == "apos") {
      out += '\'';
    } else if (ent.size() > 1 && ent[0] == '#') {
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      const std::string_view digits = ent.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      auto [p, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (ec != std::errc() || p != digits.data() + digits.size()) {
        out += text.substr(i, semi - i + 1);
      } else {
        AppendUtf8(cp, out);
      }
    } else {
      out += text.substr(i, semi - i + 1);
    }
    i = semi;
  }
  return out;
}

Result<int64_t> ParseS3TimeMs(std::string_view text) {
  const std::string s(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  char frac[16] = {};
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) == 6) {
    const size_t dot = s.find('.');
    if (dot != std::string::npos && std::sscanf(s.c_str() + dot + 1, "%15[0-9]", frac) == 1) {
      std::string f(frac);
      f.resize(3, '0');
      ms = std::stoi(f);
    }
  } else {
    char wday[8] = {}, mon[8] = {};
    if (std::sscanf(s.c_str(), "%3s, %2d %3s %4d %2d:%2d:%2d", wday, &d, mon, &y, &h, &mi, &sec) !=
        7) {
      return Status::InvalidArgument("unrecognized S3 time '{}'", text);
    }
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i) {
      if (std::strcmp(mon, kMonths[i]) == 0) mo = i + 1;
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
    return Status::InvalidArgument("unrecognized S3 time '{}'", text);
  }
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60000 + int64_t{sec} * 1000 + ms;
}

Result<S3ListPage> ParseListObjectsV2(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    return Status::Corruption("LIST answer is not a ListBucketResult: {}",
                              xml.substr(0, std::min<size_t>(xml.size(), 200)));
  }
  S3ListPage page;
  std::string_view rest = xml, block;
  size_t end = 0;
  while (FindElement(rest, "Contents", &block, &end)) {
    S3ListedObject obj;
    std::string_view v;
    if (!FindElement(block, "Key", &v)) return Status::Corruption("LIST entry without a Key");
    obj.key = XmlUnescape(v);
    if (FindElement(block, "Size", &v)) {
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), obj.size);
      if (ec != std::errc()) return Status::Corruption("LIST entry '{}': bad Size", obj.key);
    }
    if (FindElement(block, "LastModified", &v)) {
      auto t = ParseS3TimeMs(v);
      if (!t.ok()) return Status::Corruption("LIST entry '{}': {}", obj.key, t.status().message());
      obj.mtime_ms = *t;
    }
    page.objects.push_back(std::move(obj));
    rest = rest.substr(end);
  }
  rest = xml;
  while (FindElement(rest, "CommonPrefixes", &block, &end)) {
    std::string_view v;
    if (FindElement(block, "Prefix", &v)) page.common_prefixes.push_back(XmlUnescape(v));
    rest = rest.substr(end);
  }
  std::string_view v;
  page.truncated = FindElement(xml, "IsTruncated", &v) && v == "true";
  if (FindElement(xml, "NextContinuationToken", &v)) page.next_continuation_token = XmlUnescape(v);
  if (page.truncated && page.next_continuation_token.empty()) {
    return Status::Corruption("truncated LIST answer without a NextContinuationToken");
  }
  return page;
}

S3ErrorBody ParseS3Error(std::string_view xml) {
  S3ErrorBody out;
  std::string_view err, v;
  if (!FindElement(xml, "Error", &err)) return out;
  if (FindElement(err, "Code", &v)) out.code = XmlUnescape(v);
  if (FindElement(err, "Message", &v)) out.message = XmlUnescape(v);
  return out;
}

}  // namespace lakesync::storage
