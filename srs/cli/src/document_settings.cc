// OfficeDocumentSettings (see document_settings.h).
#include "kronika/srs/cli/document_settings.h"

namespace kronika::srs {

DocumentSettings OfficeDocumentSettings(const OfficeConfig& office, std::string_view language) {
  DocumentSettings s;
  s.language = DocumentLanguage(language, office.language);
  s.time_zone = office.time_zone;
  s.office_name = office.name;
  s.office_address = office.address;
  s.place = office.place;
  s.logo_png = office.logo;
  return s;
}

}  // namespace kronika::srs
