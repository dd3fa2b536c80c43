// The web page (issue 16 item 3): the shell rendered in each language with no key left
// untranslated, every text the scripts ask for in the table, no requirement ID in any text
// people read, the listener's masked numbers (ACCESS-2, ACCESS-3).
#include "kronika/srs/http/ui_page.h"

#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <string>

#include "kronika/srs/access/access_users.h"
#include "listener_view.h"
#include "ui_assets.h"
#include "ui_strings.h"

namespace kronika::srs {
TEST_CASE("the page is rendered in the office's language with every text filled in", "[http][ui]") {
  const UiSettings settings{"pl", "Europe/Warsaw"};
  const std::string pl = RenderUiIndex(settings, "pl");
  CHECK(pl.find("<html lang=\"pl\">") != std::string::npos);
  CHECK(pl.find("content=\"Europe/Warsaw\"") != std::string::npos);
  CHECK(pl.find("{{") == std::string::npos);
  CHECK(pl.find("Przejdź do treści") != std::string::npos);  // the skip link, in Polish
  // app.js first, then the section scripts; no inline script or style (the CSP forbids it).
  const size_t app = pl.find("<script src=\"/ui/app.js\" defer></script>");
  const size_t requests = pl.find("<script src=\"/ui/requests.js\" defer></script>");
  REQUIRE(app != std::string::npos);
  REQUIRE(requests != std::string::npos);
  CHECK(app < requests);
  CHECK(std::regex_search(pl, std::regex("<script>|<style|style=\"|onclick=")) == false);
  const std::string en = RenderUiIndex(settings, "en");
  CHECK(en.find("<html lang=\"en\">") != std::string::npos);
  CHECK(en.find("Skip to main content") != std::string::npos);
}

TEST_CASE("every text a script asks for is in the table, in both languages", "[http][ui]") {
  const nlohmann::json pl = UiTexts("pl"), en = UiTexts("en");
  std::set<std::string> wanted;
  const std::regex call(R"(\bt\('([a-z_0-9.]+[a-z0-9])'\s*[,)])");
  for (const UiAsset& a : UiAssets()) {
    // records.js has its own catalogue (GET /api/v1/ui/catalogue, records_ui_strings.cc).
    if (a.name != "app.js" && a.name != "requests.js") continue;
    const std::string body(a.body);
    for (auto it = std::sregex_iterator(body.begin(), body.end(), call); it != std::sregex_iterator(); ++it) {
      wanted.insert((*it)[1]);
    }
  }
  // Keys the scripts build from what the server sends (see ui_strings.cc).
  for (const char* r : {"a", "b", "c", "d", "e", "f", "g", "caller"}) wanted.insert(std::string("reason.") + r);
  for (const char* s : {"pending", "approved", "refused"}) wanted.insert(std::string("status.") + s);
  for (Role r : {Role::kAdministrator, Role::kRecordsKeeper, Role::kApprover, Role::kListener, Role::kDpo,
                 Role::kAuditor, Role::kUnitHead}) {
    wanted.insert("role." + std::string(RoleName(r)));
  }
  for (const char* h : {"in person", "phone", "e-mail", "letter"}) wanted.insert(std::string("informed.") + h);
  for (const char* m : {"60", "480", "1440", "4320", "10080"}) wanted.insert(std::string("validity.") + m);
  for (const char* s : {"available", "erased", "restricted"}) wanted.insert(std::string("recording_state.") + s);
  for (const char* k : {"dpo", "unit_head"}) wanted.insert(std::string("opinion.give_") + k);
  for (const char* k : {"nav.recordings", "nav.requests"}) wanted.insert(k);
  CHECK(wanted.size() > 100);
  for (const std::string& key : wanted) {
    INFO(key);
    CHECK(en.contains(key));
  }
  // Polish differs from the English source for the whole page (the catalogue is loaded).
  CHECK(pl["nav.requests"] == "Wnioski o odsłuchanie");
  CHECK(en["nav.requests"] == "Playback requests");
}

TEST_CASE("no text of the page names a requirement", "[http][ui]") {
  const std::regex requirement(R"(\b(SCOPE|CONSENT|RET|ACCESS|REG|DISC|RIGHTS|SEC)-[0-9])");
  for (const char* language : {"pl", "en"}) {
    const nlohmann::json texts = UiTexts(language);
    for (const auto& [key, text] : texts.items()) {
      INFO(key << ": " << text);
      CHECK_FALSE(std::regex_search(text.get<std::string>(), requirement));
    }
  }
}

TEST_CASE("a listener alone sees masked numbers; other readers see them all", "[http][ui][ACCESS-2]") {
  CHECK(MaskDigits("+48221234567") == "+********567");
  CHECK(MaskDigits("sip:+48221234567@example.pl") == "sip:+********567@example.pl");
  CHECK(MaskDigits("12") == "12");
  User listener{"anna", "Anna", "Nowak", "", {Role::kListener}, false, 0, ""};
  CHECK(SeesMaskedRecordings(listener));
  listener.roles.insert(Role::kRecordsKeeper);
  CHECK_FALSE(SeesMaskedRecordings(listener));
  User head{"kier", "K", "L", "", {Role::kUnitHead}, false, 0, ""};
  CHECK_FALSE(SeesMaskedRecordings(head));
  nlohmann::json detail = {{"participants", {{{"number_e164", "+48221234567"}, {"number_original", "221234567"},
                                              {"aor", "sip:+48221234567@example.pl"}}}},
                           {"sip_call_id", "1-221234567@host"},
                           {"metadata_xml_last", "<x>+48221234567</x>"}};
  MaskRecordingDetail(detail);
  CHECK(detail.dump().find("221234") == std::string::npos);
  CHECK(detail["numbers_masked"] == true);
}

}  // namespace kronika::srs
