// UiCatalogue (see ui_catalogue.h).
#include "ui_catalogue.h"

#include "kronika/srs/core/i18n.h"

namespace kronika::srs {

nlohmann::json UiCatalogue(const std::vector<const char*>& msgids, std::string_view language,
                           std::string_view time_zone) {
  nlohmann::json messages = nlohmann::json::object();
  for (const char* msgid : msgids) messages[msgid] = Tr(language, msgid);
  return {{"language", std::string(language)}, {"time_zone", std::string(time_zone)}, {"messages", messages}};
}

}  // namespace kronika::srs
