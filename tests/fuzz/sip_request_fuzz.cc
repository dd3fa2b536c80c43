// FuzzSipRequest: a whole SIP request as sofia-sip's transport hands it to the
// stack, then what the daemon does with it (fuzz_targets.h).
//
// sofia-sip parses with the agent's flags (MSG_DO_CANONIC) and nta drops or
// answers itself what fails its checks (nta.c agent_recv_request: too large ->
// 413; header errors in the UA's mask, a fatal parse error or
// sip_sanity_check() -> 400; a version other than SIP/2.0 -> 505). Only what
// passes reaches SipServer::Impl, so only that goes on to our code here, the
// way RequestInfo() in the SIP adapter reads it. sofia-sip's headers trip
// -Woverflow and -Wunused-parameter (see sdp/src/sofia_home.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverflow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_parser.h>
#include <sofia-sip/sip_util.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>
#pragma GCC diagnostic pop

#include <string>
#include <string_view>
#include <vector>

#include "fuzz_targets.h"
#include "kronika/sdp/siprec_body.h"
#include "siprec_steps.h"

namespace kronika::fuzz {
namespace {

// nta's default request error mask (nta.c, nta_agent_create): what a UA treats
// as a bad request. Header errors outside it (e.g. a bad Record-Route) do not
// stop the request.
constexpr unsigned kUaBadRequestMask = ~static_cast<unsigned>(
    sip_mask_response | sip_mask_proxy | sip_mask_registrar | sip_mask_pref | sip_mask_privacy);

struct Request {
  std::string method;
  std::string content_type;
  std::string body;
};

// RequestInfo() of the SIP adapter: the same fields, read the same way (the URI
// and Via reads are kept although their values are not used: they are what
// sofia-sip hands us).
bool ReadRequest(const sip_t *sip, Request &out) {
  if (sip == nullptr || sip->sip_request == nullptr) return false;
  su_home_t home[1] = {SU_HOME_INIT(home)};
  if (sip->sip_request->rq_method_name != nullptr) out.method = sip->sip_request->rq_method_name;
  if (sip->sip_content_type != nullptr) {
    if (char *text =
            sip_header_as_string(home, reinterpret_cast<const sip_header_t *>(sip->sip_content_type))) {
      out.content_type = text;
    }
  }
  if (sip->sip_payload != nullptr && sip->sip_payload->pl_data != nullptr) {
    out.body.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
  }
  std::string scratch;
  if (sip->sip_call_id != nullptr && sip->sip_call_id->i_id != nullptr) scratch = sip->sip_call_id->i_id;
  if (sip->sip_from != nullptr) {
    if (char *text = url_as_string(home, sip->sip_from->a_url)) scratch = text;
  }
  if (sip->sip_to != nullptr) {
    if (char *text = url_as_string(home, sip->sip_to->a_url)) scratch = text;
  }
  if (sip->sip_via != nullptr) {
    const char *host = sip->sip_via->v_received != nullptr ? sip->sip_via->v_received : sip->sip_via->v_host;
    if (host != nullptr) scratch = host;
  }
  su_home_deinit(home);
  return true;
}

}  // namespace

int FuzzSipRequest(const uint8_t *data, size_t size) {
  msg_t *msg = msg_make(sip_default_mclass(), MSG_DO_CANONIC, data, static_cast<ssize_t>(size));
  if (msg == nullptr) return 0;
  sip_t *sip = sip_object(msg);
  Request request;
  const bool delivered = sip != nullptr && sip->sip_request != nullptr &&
                         (sip->sip_flags & (MSG_FLG_TOOLARGE | MSG_FLG_ERROR)) == 0 &&
                         (msg_extract_errors(msg) & kUaBadRequestMask) == 0 && sip_sanity_check(sip) >= 0 &&
                         sip->sip_request->rq_version != nullptr &&
                         std::string_view(sip->sip_request->rq_version) == "SIP/2.0" &&
                         ReadRequest(sip, request);
  msg_destroy(msg);
  if (!delivered || request.content_type.empty()) return 0;

  // SessionManager: an initial INVITE must carry an SDP; an UPDATE or re-INVITE
  // may carry only metadata. Both readings are taken, whatever the method.
  for (sdp::SdpPart part : {sdp::SdpPart::kRequired, sdp::SdpPart::kOptional}) {
    Result<sdp::SiprecBody> body = sdp::ParseSiprecBody(request.content_type, request.body, part);
    if (!body.ok()) continue;
    std::vector<std::string> labels;
    if (!body->sdp.empty()) labels = ExerciseSdpOffer(body->sdp);
    if (body->metadata_xml) ExerciseMetadata(*body->metadata_xml, labels);
  }
  return 0;
}

}  // namespace kronika::fuzz
