// Recording API routes: stub.
#include "kronika/srs/recording_api.h"

namespace kronika::srs {
void RegisterRecordingApi(HttpServer& /*server*/, const Store& /*store*/) {}
}  // namespace kronika::srs
