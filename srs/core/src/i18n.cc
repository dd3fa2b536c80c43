// Tr/TrN/FormatLocalTime (see i18n.h): Boost.Locale over our gettext catalogues.
#include "kronika/srs/core/i18n.h"

#include <unistd.h>

#include <array>
#include <boost/locale/generator.hpp>
#include <boost/locale/message.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <locale>
#include <map>
#include <memory>
#include <system_error>

#include "kronika/mutex.h"
#include "kronika/policy/time_zone.h"
#include "kronika/srs/core/log.h"

namespace kronika::srs {
namespace {

constexpr char kDomain[] = "kronika";
constexpr char kLocaleDirEnv[] = "KRONIKA_LOCALE_DIR";

std::string ExecutableDir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

// The first directory holding a compiled catalogue (see i18n.h for the order).
std::string FindCatalogueDir() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv(kLocaleDirEnv); env != nullptr && *env != '\0') candidates.emplace_back(env);
  if (std::string exe_dir = ExecutableDir(); !exe_dir.empty()) {
    candidates.push_back(exe_dir + "/locale");
    candidates.push_back(exe_dir + "/../locale");  // build/srs/kronika -> build/locale
    candidates.push_back(exe_dir + "/../share/locale");
  }
  for (const std::string& dir : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(dir + "/pl/LC_MESSAGES/" + kDomain + ".mo", ec)) return dir;
  }
  return {};
}

class Catalogues {
 public:
  static Catalogues& Get() {
    static Catalogues* catalogues = new Catalogues();  // never destroyed: used until exit
    return *catalogues;
  }

  // The std::locale carrying `language`'s messages; the classic locale for English.
  std::locale For(std::string_view language) EXCLUDES(mu_) {
    if (language.empty()) language = kDefaultLanguage;
    if (language == "en" || !IsSupportedLanguage(language)) return std::locale::classic();
    MutexLock lock(mu_);
    auto it = locales_.find(std::string(language));
    if (it != locales_.end()) return it->second;
    std::locale loc = Load(language);
    locales_.emplace(std::string(language), loc);
    return loc;
  }

 private:
  Catalogues() : dir_(FindCatalogueDir()) {}

  std::locale Load(std::string_view language) REQUIRES(mu_) {
    if (dir_.empty()) {
      Logf(LogLevel::kWarn, "", "i18n: no compiled catalogue found (set %s): people-facing text stays English",
           kLocaleDirEnv);
      return std::locale::classic();
    }
    try {
      boost::locale::generator generator;
      generator.add_messages_path(dir_);
      generator.add_messages_domain(kDomain);
      return generator(std::string(language) == "pl" ? "pl_PL.UTF-8" : std::string(language) + ".UTF-8");
    } catch (const std::exception& e) {
      Logf(LogLevel::kWarn, "", "i18n: cannot load the %.*s catalogue from %s: %s: text stays English",
           static_cast<int>(language.size()), language.data(), dir_.c_str(), e.what());
      return std::locale::classic();
    }
  }

  const std::string dir_;
  Mutex mu_;
  std::map<std::string, std::locale> locales_ GUARDED_BY(mu_);
};

// Zones parsed once each; TimeZone values are immutable and shared.
class ZoneCache {
 public:
  static ZoneCache& Get() {
    static ZoneCache* cache = new ZoneCache();  // never destroyed: used until exit
    return *cache;
  }

  const policy::TimeZone* Find(std::string_view rule) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    auto it = zones_.find(std::string(rule));
    if (it == zones_.end()) {
      Result<policy::TimeZone> zone = policy::TimeZone::Parse(rule);
      it = zones_.emplace(std::string(rule), zone.ok() ? std::make_unique<policy::TimeZone>(*zone) : nullptr).first;
    }
    return it->second.get();
  }

 private:
  Mutex mu_;
  std::map<std::string, std::unique_ptr<policy::TimeZone>> zones_ GUARDED_BY(mu_);
};

struct Wall {
  policy::LocalTime local;
  std::string zone_name;
};

Wall WallClock(int64_t ms_utc, std::string_view time_zone) {
  const policy::TimeZone* zone = ZoneCache::Get().Find(time_zone);
  if (zone == nullptr) return Wall{policy::TimeZone().ToLocal(ms_utc), "UTC"};
  policy::LocalTime local = zone->ToLocal(ms_utc);
  std::string name = local.abbreviation.empty() ? "UTC" : local.abbreviation;
  return Wall{std::move(local), std::move(name)};
}

// Month names as a date reads them ("7 grudnia 2026 r." uses the genitive in Polish).
constexpr std::array<const char*, 12> kMonthsInDates = {
    N_("January"), N_("February"), N_("March"),     N_("April"),   N_("May"),      N_("June"),
    N_("July"),    N_("August"),   N_("September"), N_("October"), N_("November"), N_("December")};

}  // namespace

bool IsSupportedLanguage(std::string_view language) { return language == "pl" || language == "en"; }

std::string Tr(std::string_view language, const char* msgid) {
  std::locale loc = Catalogues::Get().For(language);
  if (loc == std::locale::classic()) return msgid;
  return boost::locale::translate(msgid).str(loc);
}

std::string TrN(std::string_view language, const char* singular, const char* plural, unsigned long n) {
  std::locale loc = Catalogues::Get().For(language);
  if (loc == std::locale::classic()) return n == 1 ? singular : plural;
  // Boost 1.74 takes an int; the plural rules only look at the last digits, so a count past
  // INT_MAX keeps its last six (its form: 1_000_000_005 reads as 5 -> "plików").
  const int count = n > 2'000'000'000UL ? static_cast<int>(n % 1'000'000) + 1'000'000 : static_cast<int>(n);
  return boost::locale::translate(singular, plural, count).str(loc);
}

bool IsKnownTimeZone(std::string_view time_zone) { return ZoneCache::Get().Find(time_zone) != nullptr; }

std::string FormatLocalTime(int64_t ms_utc, std::string_view time_zone, std::string_view language) {
  const Wall wall = WallClock(ms_utc, time_zone);
  const policy::CivilDateTime& c = wall.local.civil;
  char text[96];
  if (language == "en") {
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d %s", c.date.year, c.date.month, c.date.day,
                  c.hour, c.minute, c.second, wall.zone_name.c_str());
  } else {
    std::snprintf(text, sizeof text, "%02d.%02d.%04d, %02d:%02d:%02d %s", c.date.day, c.date.month, c.date.year,
                  c.hour, c.minute, c.second, wall.zone_name.c_str());
  }
  return text;
}

std::string FormatLocalDate(int64_t ms_utc, std::string_view time_zone, std::string_view language) {
  const policy::CivilDate d = WallClock(ms_utc, time_zone).local.civil.date;
  std::string month = Tr(language, kMonthsInDates[static_cast<size_t>(d.month - 1)]);
  // TRANSLATORS: a date on a document: {day} {month} {year}; Polish adds "r." (roku).
  std::string text = Tr(language, N_("{day} {month} {year}"));
  auto put = [&text](std::string_view field, const std::string& value) {
    if (size_t at = text.find(field); at != std::string::npos) text.replace(at, field.size(), value);
  };
  put("{day}", std::to_string(d.day));
  put("{month}", month);
  put("{year}", std::to_string(d.year));
  return text;
}

}  // namespace kronika::srs
