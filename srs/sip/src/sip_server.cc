// The sofia-sip nua UAS: listeners, request dispatch to SessionManager, responses.
// Runs entirely on one su_root thread (the SIP thread).
#include <sofia-sip/msg.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_strlst.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "kronika/sdp/body_encoding.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/core/metrics.h"
#include "kronika/thread_role.h"
#include "sip_server_impl.h"

namespace kronika::srs {
namespace {

constexpr char kAllow[] = "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE";
constexpr char kAccept[] =
    "application/sdp, multipart/mixed, application/rs-metadata+xml, application/rs-metadata";
// sofia-sip's OPTIONS server appends its own `Accept: application/sdp` to every 2xx
// (nua_options_server_respond), so the OPTIONS answer passes only the other types; each
// type then appears once (RFC 3261 20.1).
constexpr char kAcceptBesidesSdp[] =
    "multipart/mixed, application/rs-metadata+xml, application/rs-metadata";
// 100rel (RFC 3262): SRCs configured to require reliable provisional responses (CUBE
// `rel1xx require`, AudioCodes PRACK mode mandatory) got 420 and recorded nothing. We send
// no provisional response but 100 Trying, so there is nothing to PRACK; supporting the tag
// costs nothing.
constexpr char kSupported[] = "timer, siprec, 100rel";
constexpr char kSupportedWithoutTimer[] = "siprec, 100rel";
constexpr su_duration_t kTickIntervalMs = 1000;
constexpr auto kShutdownGrace = std::chrono::seconds(5);
// How long a stop waits for the SRCs to answer our BYEs before the SIP stack is shut down.
constexpr auto kByeDrain = std::chrono::seconds(2);

// Text fit for a quoted Warning value: no quotes, backslashes or control characters.
std::string WarningText(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\'';
    } else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
      out += c;
    }
    if (out.size() >= 200) break;
  }
  return out;
}

std::string MethodName(const sip_t* sip) {
  if (sip != nullptr && sip->sip_request != nullptr && sip->sip_request->rq_method_name != nullptr) {
    return sip->sip_request->rq_method_name;
  }
  return "";
}

// Our Contact for a dialog, marked +sip.srs (RFC 7866 section 6.1.1): the address we
// listen on for the transport the request came over (sip.listen, or sip.tls_listen for
// TLS), so that in-dialog requests reach this node even when the INVITE came through a
// proxy whose address is in the request URI (Kamailio dispatcher). Only a wildcard
// listen address falls back to the request URI's host:port.
std::string SrsContact(const sip_t* sip, const std::string& listen, const std::string& tls_listen) {
  if (sip == nullptr || sip->sip_request == nullptr || sip->sip_request->rq_url->url_host == nullptr) return "";
  const url_t* target = sip->sip_request->rq_url;
  std::string protocol = sip->sip_via != nullptr && sip->sip_via->v_protocol != nullptr ? sip->sip_via->v_protocol : "";
  const bool tls = protocol.find("TLS") != std::string::npos;
  const bool tcp = protocol.find("TCP") != std::string::npos;
  std::string host_port;
  if (Result<HostPort> hp = ParseHostPort(tls && !tls_listen.empty() ? tls_listen : listen);
      hp.ok() && hp->host != "0.0.0.0" && hp->host != "::" && hp->host != "*") {
    host_port = hp->host.find(':') != std::string::npos ? "[" + hp->host + "]" : hp->host;
    host_port += ":" + std::to_string(hp->port);
  } else {
    host_port = target->url_host;
    if (host_port.find(':') != std::string::npos && host_port.front() != '[') host_port = "[" + host_port + "]";
    if (target->url_port != nullptr && target->url_port[0] != '\0') host_port += std::string(":") + target->url_port;
  }
  std::string contact = std::string("<") + (tls ? "sips:" : "sip:") + host_port;
  if (tcp) contact += ";transport=tcp";
  return contact + ">;+sip.srs";
}

std::string SipUrl(const std::string& scheme, const std::string& listen) {
  return scheme + ":" + listen;
}

}  // namespace

SipServer::Impl::Impl(const Config& config, SipServerDeps deps)
    : config_(config),
      deps_(deps),
      manager_(
          [&config, &deps] {
            SessionManagerOptions o;
            o.max_sessions = config.sip.max_sessions;
            o.max_streams = config.sip.max_streams;
            o.max_sessions_per_source = config.sip.max_sessions_per_source;
            o.accept_non_siprec = config.sip.accept_non_siprec;
            o.retry_after_s = config.sip.retry_after;
            o.local_ip = config.media.bind_ip;
            o.codecs.order.clear();
            for (const std::string& codec : config.codecs.preference) {
              std::string upper = codec;
              for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
              o.codecs.order.push_back(upper);
            }
            o.stereo = config.media.stereo;
            o.site = config.site.name;
            o.country_code = config.site.country_code;
            o.completeness.max_gap_ms = config.media.partial_gap_ms;
            o.completeness.min_signal_ms = config.media.min_signal_ms;
            o.create_recording_key = deps.create_recording_key;  // SEC-1
            o.drop_recording_key = deps.drop_recording_key;
            o.sealed_recording_finished = deps.sealed_recording_finished;
            o.admit = deps.admit;  // issue 7
            return o;
          }(),
          deps.media, deps.snapshots, deps.store_healthy,
          deps.metrics),
      guard_(config.sip.allowed_sources, static_cast<size_t>(config.sip.max_message_bytes)) {
  Result<HostPort> hp = ParseHostPort(config.sip.listen);
  warning_agent_ = hp.ok() ? config.sip.listen : "kronika";
}

SipServer::Impl::~Impl() {
  if (tick_timer_ != nullptr) su_timer_destroy(tick_timer_);
  if (nua_ != nullptr && !nua_shutdown_done_) {
    // Never ran (or Run() was cut short): the stack must be shut down before nua_destroy.
    shutting_down_ = true;
    nua_shutdown(nua_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!nua_shutdown_done_ && std::chrono::steady_clock::now() < deadline) su_root_step(root_, 50);
  }
  if (nua_ != nullptr) nua_destroy(nua_);
  if (tls_subjects_ != nullptr) su_strlst_destroy(tls_subjects_);
  if (root_ != nullptr) {
    if (media_fd_registration_ > 0) su_root_deregister(root_, media_fd_registration_);
    if (stop_fd_registration_ > 0) su_root_deregister(root_, stop_fd_registration_);
    su_root_destroy(root_);
    su_deinit();
  }
  if (stop_fd_ >= 0) close(stop_fd_);
}

Status SipServer::Impl::Init() {
  if (deps_.media == nullptr) return Error{ErrorCode::kInternal, "sip: no media engine"};
  if (su_init() != 0) return Error{ErrorCode::kUnavailable, "sip: su_init failed"};
  root_ = su_root_create(nullptr);
  if (root_ == nullptr) {
    su_deinit();
    return Error{ErrorCode::kUnavailable, "sip: cannot create the event loop"};
  }
  const std::string sip_url = SipUrl("sip", config_.sip.listen);
  const std::string sips_url = config_.sip.tls_listen.empty() ? "" : SipUrl("sips", config_.sip.tls_listen);
  const bool timers = config_.sip.session_timer > 0;
  // TLS client certificates (issue 12): checked against tls_cert_dir/cafile.pem, and their
  // subject (CN or subjectAltName) against the list when one is configured.
  su_strlst_t* subjects = nullptr;
  if (!config_.sip.tls_client_subjects.empty()) {
    subjects = tls_subjects_ = su_strlst_create(nullptr);  // freed after the stack, in ~Impl
    for (const std::string& subject : config_.sip.tls_client_subjects) su_strlst_dup_append(subjects, subject.c_str());
  }
  const unsigned tls_verify = !config_.sip.tls_verify_client ? TPTLS_VERIFY_NONE
                              : subjects != nullptr          ? TPTLS_VERIFY_SUBJECTS_IN
                                                             : TPTLS_VERIFY_IN;
  // sofia-sip buffers a request up to twice sip.max_message_bytes (a body beyond that is its
  // own 413, a header section beyond that closes the connection); up to it we answer 513
  // with a Warning ourselves (RequestGuard).
  const usize_t stack_max_bytes = 2 * static_cast<usize_t>(config_.sip.max_message_bytes);
  nua_ = nua_create(root_, NuaCallback, reinterpret_cast<nua_magic_t*>(this),
                    NUTAG_URL(sip_url.c_str()),
                    NTATAG_MAXSIZE(stack_max_bytes),
                    TAG_IF(!sips_url.empty(), NUTAG_SIPS_URL(sips_url.c_str())),
                    TAG_IF(!sips_url.empty(), NUTAG_CERTIFICATE_DIR(config_.sip.tls_cert_dir.c_str())),
                    TAG_IF(!sips_url.empty() && tls_verify != TPTLS_VERIFY_NONE, TPTAG_TLS_VERIFY_POLICY(tls_verify)),
                    TAG_IF(!sips_url.empty() && subjects != nullptr, TPTAG_TLS_VERIFY_SUBJECTS(subjects)),
                    TAG_END());
  if (nua_ == nullptr) {
    return Error{ErrorCode::kUnavailable, "sip: cannot listen on " + sip_url + (sips_url.empty() ? "" : " / " + sips_url) +
                 " (address in use or not local?)"};
  }
  nua_set_params(nua_,
                 NUTAG_MEDIA_ENABLE(0),
                 NUTAG_AUTOANSWER(0),
                 NUTAG_AUTOACK(1),
                 NUTAG_APPL_METHOD("INVITE, UPDATE, OPTIONS"),
                 SIPTAG_ALLOW_STR(kAllow),
                 SIPTAG_SUPPORTED_STR(timers ? kSupported : kSupportedWithoutTimer),
                 SIPTAG_USER_AGENT_STR(config_.sip.user_agent.c_str()),
                 SIPTAG_SERVER_STR(config_.sip.user_agent.c_str()),
                 NUTAG_SESSION_TIMER(static_cast<unsigned>(timers ? config_.sip.session_timer : 0)),
                 NUTAG_SESSION_REFRESHER(nua_remote_refresher),
                 NUTAG_MIN_SE(90),
                 NUTAG_ENABLEMESSAGE(0),
                 NUTAG_ENABLEINVITE(1),
                 TAG_END());

  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd_ < 0) return Error{ErrorCode::kUnavailable, "sip: eventfd failed"};
  su_wait_t stop_wait[1];
  su_wait_create(stop_wait, stop_fd_, SU_WAIT_IN);
  stop_fd_registration_ = su_root_register(root_, stop_wait, StopFdCallback, reinterpret_cast<su_wakeup_arg_t*>(this), 0);
  su_wait_t media_wait[1];
  su_wait_create(media_wait, deps_.media->event_fd(), SU_WAIT_IN);
  media_fd_registration_ =
      su_root_register(root_, media_wait, MediaFdCallback, reinterpret_cast<su_wakeup_arg_t*>(this), 0);
  if (stop_fd_registration_ <= 0 || media_fd_registration_ <= 0) return Error{ErrorCode::kUnavailable, "sip: cannot register event fds"};

  tick_timer_ = su_timer_create(su_root_task(root_), kTickIntervalMs);
  if (tick_timer_ == nullptr || su_timer_set_for_ever(tick_timer_, TickCallback, reinterpret_cast<su_timer_arg_t*>(this)) != 0) {
    return Error{ErrorCode::kUnavailable, "sip: cannot create the housekeeping timer"};
  }
  // nua_set_params() is carried out on a later turn of the event loop. An INVITE read
  // first met the stack's defaults, whose Supported lacks `siprec`: "420 Bad Extension" to
  // an SRC that sends `Require: siprec` in the first moments after a start (media:e2e saw
  // it). The socket is bound already, so wait here until the stack confirms its parameters.
  const auto params_deadline = std::chrono::steady_clock::now() + kShutdownGrace;
  while (!params_applied_ && std::chrono::steady_clock::now() < params_deadline) su_root_step(root_, 50);
  if (!params_applied_) return Error{ErrorCode::kUnavailable, "sip: the SIP stack did not take its parameters"};
  Logf(LogLevel::kInfo, "", "sip: listening on %s (UDP+TCP)%s%s", sip_url.c_str(), sips_url.empty() ? "" : " and ",
       sips_url.c_str());
  if (guard_.open()) {
    Log(LogLevel::kWarn, "",
        "sip: sip.allowed_sources lets every address send SIP (0.0.0.0/0 and ::/0): anyone who reaches "
        "the port can start recordings; list the SRC networks instead (docs/operations.md)");
  }
  return OkStatus();
}

Status SipServer::Impl::Run() {
  // The SIP thread does no disk I/O while it serves (issue 13 item 4): debug builds abort on
  // an LMDB transaction or a key file write here (thread_role.h).
  const DiskIoForbidden no_disk_io(kSipThreadName);
  su_root_run(root_);  // until BeginShutdown() breaks it
  // Drain: let the media engine finish the files of the sessions we just ended.
  const auto deadline = std::chrono::steady_clock::now() + kShutdownGrace;
  while (manager_.total_sessions() > 0 && std::chrono::steady_clock::now() < deadline) {
    su_root_step(root_, 100);
  }
  if (manager_.total_sessions() > 0) {
    Logf(LogLevel::kWarn, "", "sip: %zu sessions still finishing at exit", manager_.total_sessions());
  }
  return OkStatus();
}

void SipServer::Impl::RequestStop() {
  const uint64_t one = 1;
  ssize_t ignored = ::write(stop_fd_, &one, sizeof(one));  // async-signal-safe
  (void)ignored;
}

void SipServer::Impl::OnStopFdReadable() {
  uint64_t value = 0;
  ssize_t ignored = ::read(stop_fd_, &value, sizeof(value));
  (void)ignored;
  BeginShutdown();
}

void SipServer::Impl::BeginShutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  Log(LogLevel::kInfo, "", "sip: shutting down: ending all sessions");
  manager_.EndAll(TimelineEventKind::kShutdown, "server stopping", Clock::now());
  // Phase 1: our BYE to every recording dialog while the stack still hands us requests, so
  // an INVITE meanwhile gets our counted 503 + Retry-After (an SBC fails over) rather than
  // the "410 Gone" sofia-sip answers once nua_shutdown() has begun.
  for (const auto& [nh, dialog] : dialogs_) {
    if (!dialog.recording_id.empty() && !dialog.bye_received && !dialog.cancelled) nua_bye(nh, TAG_END());
  }
  stack_shutdown_at_ = std::chrono::steady_clock::now() + kByeDrain;
  MaybeShutdownStack();
}

void SipServer::Impl::MaybeShutdownStack() {
  if (!shutting_down_ || nua_shutdown_started_) return;
  const bool calls_left = std::any_of(dialogs_.begin(), dialogs_.end(),
                                      [](const auto& entry) { return !entry.second.recording_id.empty(); });
  if (calls_left && std::chrono::steady_clock::now() < stack_shutdown_at_) return;
  nua_shutdown_started_ = true;
  nua_shutdown(nua_);  // BYE to any dialog left; nua_r_shutdown follows
}

void SipServer::Impl::OnMediaFdReadable() {
  manager_.OnMediaEvents(deps_.media->TakeEvents(), Clock::now());
}

void SipServer::Impl::OnTick() {
  manager_.OnMediaEvents(deps_.media->TakeEvents(), Clock::now());  // in case an fd wakeup was missed
  manager_.Tick(Clock::now());
  heap_reclaimer_.Tick(std::chrono::steady_clock::now());
  MaybeShutdownStack();
}

bool SipServer::Impl::RefusedAtEdge(nua_handle_t* nh, const char* method, bool with_this) {
  msg_t* msg = nua_current_request(nua_);
  if (msg == nullptr) return false;
  const su_sockaddr_t* source = msg_addr(msg);
  // The body's length as received (msg_size() counts sofia-sip's buffers, about twice the
  // bytes on the wire); the header section is bounded by the stack (NTATAG_MAXSIZE).
  const sip_t* sip = sip_object(msg);
  const size_t body_bytes = sip != nullptr && sip->sip_payload != nullptr ? sip->sip_payload->pl_len : 0;
  std::optional<GuardRefusal> refusal = guard_.Check(source != nullptr ? &source->su_sa : nullptr, body_bytes);
  if (!refusal) return false;
  SipReply reply;
  reply.status = refusal->status;
  reply.warning = refusal->warning;
  Respond(nh, method, reply, with_this);
  if (deps_.metrics != nullptr) {
    deps_.metrics->OnRequestRefused(refusal->reason);
    if (std::strcmp(method, "INVITE") == 0) deps_.metrics->OnSessionRejected(refusal->reason);
  }
  size_t suppressed = 0;
  if (guard_.ShouldLog(std::chrono::steady_clock::now(), suppressed)) {
    Logf(LogLevel::kWarn, "", "sip: %s refused: %d %s%s", method, reply.status, refusal->warning.c_str(),
         suppressed == 0 ? "" : (" (" + std::to_string(suppressed) + " more refusals not logged)").c_str());
  }
  // Nothing of a refused dialog is kept: its handle goes now, not when the stack reports
  // the call terminated (sofia-sip keeps only the transaction, to answer retransmissions).
  if (dialogs_.count(nh) == 0) nua_handle_destroy(nh);
  return true;
}

SipRequestInfo SipServer::Impl::RequestInfo(const sip_t* sip) const {
  SipRequestInfo info;
  info.method = MethodName(sip);
  if (msg_t* msg = nua_current_request(nua_)) info.source_address = AddressText(&msg_addr(msg)->su_sa);
  if (sip == nullptr) return info;
  su_home_t home[1] = {SU_HOME_INIT(home)};
  if (sip->sip_content_type != nullptr) {
    if (char* text = sip_header_as_string(home, reinterpret_cast<const sip_header_t*>(sip->sip_content_type))) {
      info.content_type = text;
    }
  }
  if (sip->sip_content_encoding != nullptr) {
    if (char* text = sip_header_as_string(home, reinterpret_cast<const sip_header_t*>(sip->sip_content_encoding))) {
      info.content_encoding = text;
    }
  }
  if (sip->sip_payload != nullptr && sip->sip_payload->pl_data != nullptr) {
    info.body.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
  }
  // RFC 7866 6.1.1: `Require: siprec` and the +sip.src Contact feature tag (BroadWorks and
  // Webex send the pre-standard `src`) say the INVITE is a recording session.
  info.siprec_signalled = sip_has_feature(sip->sip_require, "siprec") != 0;
  for (const sip_contact_t* m = sip->sip_contact; m != nullptr && !info.siprec_signalled; m = m->m_next) {
    info.siprec_signalled = msg_params_find(m->m_params, "+sip.src") != nullptr ||
                            msg_params_find(m->m_params, "src") != nullptr;
  }
  if (sip->sip_call_id != nullptr && sip->sip_call_id->i_id != nullptr) info.call_id = sip->sip_call_id->i_id;
  if (sip->sip_from != nullptr) {
    if (char* text = url_as_string(home, sip->sip_from->a_url)) info.from_uri = text;
  }
  if (sip->sip_to != nullptr) {
    if (char* text = url_as_string(home, sip->sip_to->a_url)) info.to_uri = text;
  }
  if (sip->sip_via != nullptr) {
    const char* host = sip->sip_via->v_received != nullptr ? sip->sip_via->v_received : sip->sip_via->v_host;
    if (host != nullptr) info.src_host = host;
  }
  su_home_deinit(home);
  return info;
}

Session* SipServer::Impl::SessionOf(nua_handle_t* nh) {
  auto it = dialogs_.find(nh);
  if (it == dialogs_.end() || it->second.recording_id.empty()) return nullptr;
  return manager_.Find(it->second.recording_id);
}

void SipServer::Impl::Respond(nua_handle_t* nh, const char* method, const SipReply& reply, bool with_this,
                              const std::string& contact) {
  const std::string warning =
      reply.warning.empty() ? "" : "399 " + warning_agent_ + " \"" + WarningText(reply.warning) + "\"";
  const std::string retry_after = std::to_string(reply.retry_after_s);
  nua_respond(nh, reply.status, sip_status_phrase(reply.status),
              TAG_IF(with_this, NUTAG_WITH_THIS(nua_)),
              TAG_IF(!warning.empty(), SIPTAG_WARNING_STR(warning.c_str())),
              TAG_IF(reply.retry_after_s > 0, SIPTAG_RETRY_AFTER_STR(retry_after.c_str())),
              TAG_IF(!reply.content_type.empty(), SIPTAG_CONTENT_TYPE_STR(reply.content_type.c_str())),
              TAG_IF(!reply.content_type.empty(), SIPTAG_PAYLOAD_STR(reply.body.c_str())),
              TAG_IF(reply.status == 405, SIPTAG_ALLOW_STR(kAllow)),
              TAG_IF(reply.status == 415, SIPTAG_ACCEPT_STR(kAccept)),
              TAG_IF(!reply.accept_encoding.empty(), SIPTAG_ACCEPT_ENCODING_STR(reply.accept_encoding.c_str())),
              TAG_IF(!contact.empty() && reply.status < 300, SIPTAG_CONTACT_STR(contact.c_str())),
              TAG_END());
  if (deps_.metrics != nullptr) deps_.metrics->OnSipResponse(method, reply.status);
}

void SipServer::Impl::OnNuaEvent(nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
                                 const sip_t* sip, tagi_t tags[]) {
  switch (event) {
    case nua_i_invite:
      if (deps_.metrics != nullptr) deps_.metrics->OnSipRequest("INVITE");
      if (!RefusedAtEdge(nh, "INVITE", false)) OnInvite(nh, sip);
      break;
    case nua_i_update:
      if (deps_.metrics != nullptr) deps_.metrics->OnSipRequest("UPDATE");
      if (!RefusedAtEdge(nh, "UPDATE", true)) OnUpdate(nh, sip);
      break;
    case nua_i_options:
      if (deps_.metrics != nullptr) deps_.metrics->OnSipRequest("OPTIONS");
      if (!RefusedAtEdge(nh, "OPTIONS", true)) OnOptions(nh, sip);
      break;
    case nua_i_ack:
      if (deps_.metrics != nullptr) deps_.metrics->OnSipRequest("ACK");
      OnAck(nh, sip);
      break;
    case nua_i_bye: {
      if (deps_.metrics != nullptr) {
        deps_.metrics->OnSipRequest("BYE");
        deps_.metrics->OnSipResponse("BYE", 200);  // answered by the stack
      }
      auto it = dialogs_.find(nh);
      if (it != dialogs_.end()) it->second.bye_received = true;
      if (Session* session = SessionOf(nh)) manager_.End(*session, TimelineEventKind::kBye, "by SRC", Clock::now());
      break;
    }
    case nua_i_cancel: {
      if (deps_.metrics != nullptr) deps_.metrics->OnSipRequest("CANCEL");
      auto it = dialogs_.find(nh);
      if (it != dialogs_.end()) it->second.cancelled = true;
      if (Session* session = SessionOf(nh)) {
        manager_.End(*session, TimelineEventKind::kCancel, "CANCEL before the answer", Clock::now());
      }
      break;
    }
    case nua_i_state:
      OnState(nh, tags);
      break;
    case nua_r_shutdown:
      if (status >= 200) {
        nua_shutdown_done_ = true;
        Logf(LogLevel::kInfo, "", "sip: stack shut down (%d %s)", status, phrase != nullptr ? phrase : "");
        su_root_break(root_);
      }
      break;
    case nua_i_error:
      Logf(LogLevel::kWarn, "", "sip: stack error %d %s", status, phrase != nullptr ? phrase : "");
      break;
    case nua_i_terminated:
    case nua_i_active:
    case nua_r_bye:
      break;
    case nua_r_set_params:
      params_applied_ = true;
      break;
    default:
      if (event < nua_r_set_params && nh != nullptr && dialogs_.find(nh) == dialogs_.end()) {
        // An incoming request we do not handle on a handle we do not own (INFO, MESSAGE,
        // REFER, ...): the stack answered it; drop the handle.
        Logf(LogLevel::kDebug, "", "sip: ignored event %s (%d)", nua_event_name(event), status);
        nua_handle_destroy(nh);
      }
      break;
  }
}

void SipServer::Impl::OnInvite(nua_handle_t* nh, const sip_t* sip) {
  const SipRequestInfo request = RequestInfo(sip);
  if (Session* session = SessionOf(nh)) {  // re-INVITE on our dialog
    const SipReply reply = manager_.OnReInvite(*session, request, Clock::now());
    if (reply.status >= 300) Logf(LogLevel::kWarn, session->id(), "re-INVITE refused: %d %s", reply.status, reply.warning.c_str());
    Respond(nh, "INVITE", reply, false, SrsContact(sip, config_.sip.listen, config_.sip.tls_listen));
    return;
  }
  if (dialogs_.count(nh) != 0) {  // re-INVITE on a dialog whose recording already ended
    SipReply reply;
    reply.status = 481;
    reply.warning = "recording session already ended";
    Respond(nh, "INVITE", reply, false);
    return;
  }
  if (shutting_down_) {
    SipReply reply;
    reply.status = 503;
    reply.warning = "server shutting down";
    reply.retry_after_s = config_.sip.retry_after;
    Logf(LogLevel::kWarn, "", "sip: INVITE Call-ID %s refused: 503 server shutting down", request.call_id.c_str());
    if (deps_.metrics != nullptr) deps_.metrics->OnSessionRejected("shutdown");
    Respond(nh, "INVITE", reply, false);
    nua_handle_destroy(nh);  // no dialog (see the refusal below)
    return;
  }
  SessionManager::InviteOutcome outcome = manager_.OnInitialInvite(request, Clock::now());
  if (outcome.session == nullptr) {
    size_t suppressed = 0;
    if (guard_.ShouldLog(std::chrono::steady_clock::now(), suppressed)) {
      Logf(LogLevel::kWarn, "", "sip: INVITE Call-ID %s from %s refused: %d %s%s", request.call_id.c_str(),
           request.src_host.c_str(), outcome.reply.status, outcome.reply.warning.c_str(),
           suppressed == 0 ? "" : (" (" + std::to_string(suppressed) + " more refusals not logged)").c_str());
    }
    if (deps_.metrics != nullptr) deps_.metrics->OnSessionRejected(outcome.reply.reason_key);
    Respond(nh, "INVITE", outcome.reply, false);
    // A refused INVITE makes no dialog. sofia-sip reports its call state back to "init",
    // never "terminated", so the handle is released here, or it stays for good (issue 12:
    // 30,000 refusals held 400+ MB). The stack keeps only the transaction, to answer
    // retransmissions and absorb the ACK.
    nua_handle_destroy(nh);
    return;
  }
  dialogs_[nh] = Dialog{outcome.session->id()};
  Respond(nh, "INVITE", outcome.reply, false, SrsContact(sip, config_.sip.listen, config_.sip.tls_listen));
}

void SipServer::Impl::OnUpdate(nua_handle_t* nh, const sip_t* sip) {
  Session* session = SessionOf(nh);
  if (session == nullptr) {
    SipReply reply;
    reply.status = 481;
    Respond(nh, "UPDATE", reply, true);
    return;
  }
  const SipReply reply = manager_.OnUpdate(*session, RequestInfo(sip), Clock::now());
  if (reply.status >= 300) Logf(LogLevel::kWarn, session->id(), "UPDATE refused: %d %s", reply.status, reply.warning.c_str());
  Respond(nh, "UPDATE", reply, true);
}

void SipServer::Impl::OnOptions(nua_handle_t* nh, const sip_t*) {
  nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(nua_), SIPTAG_ALLOW_STR(kAllow), SIPTAG_ACCEPT_STR(kAcceptBesidesSdp),
              SIPTAG_ACCEPT_ENCODING_STR(std::string(sdp::kAcceptedContentEncodings).c_str()),
              SIPTAG_SUPPORTED_STR(config_.sip.session_timer > 0 ? kSupported : kSupportedWithoutTimer), TAG_END());
  if (deps_.metrics != nullptr) deps_.metrics->OnSipResponse("OPTIONS", 200);
  if (dialogs_.find(nh) == dialogs_.end()) nua_handle_destroy(nh);  // out-of-dialog OPTIONS
}

void SipServer::Impl::OnAck(nua_handle_t* nh, const sip_t* sip) {
  if (Session* session = SessionOf(nh)) manager_.OnAck(*session, RequestInfo(sip), Clock::now());
}

void SipServer::Impl::OnState(nua_handle_t* nh, tagi_t tags[]) {
  int state = nua_callstate_init;
  tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
  if (state != nua_callstate_terminated) return;
  auto it = dialogs_.find(nh);
  if (it == dialogs_.end()) {
    nua_handle_destroy(nh);
    return;
  }
  if (Session* session = SessionOf(nh)) {
    // Terminated without BYE or CANCEL from the SRC: our shutdown, or the session timer
    // ran out (RFC 4028: the stack sent BYE because the SRC did not refresh).
    const Dialog& dialog = it->second;
    if (dialog.cancelled) {
      manager_.End(*session, TimelineEventKind::kCancel, "CANCEL", Clock::now());
    } else if (dialog.bye_received) {
      manager_.End(*session, TimelineEventKind::kBye, "by SRC", Clock::now());
    } else if (shutting_down_) {
      manager_.End(*session, TimelineEventKind::kShutdown, "server stopping", Clock::now());
    } else {
      manager_.End(*session, TimelineEventKind::kSessionExpired, "dialog terminated without BYE from the SRC",
                   Clock::now());
    }
  }
  dialogs_.erase(it);
  nua_handle_destroy(nh);
  MaybeShutdownStack();
}

// --- SipServer ---

SipServer::SipServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SipServer::~SipServer() = default;

Result<std::unique_ptr<SipServer>> SipServer::Create(const Config& config, SipServerDeps deps) {
  auto impl = std::make_unique<Impl>(config, deps);
  if (Status s = impl->Init(); !s.ok()) return s.error();
  return std::unique_ptr<SipServer>(new SipServer(std::move(impl)));
}

Status SipServer::Run() { return impl_->Run(); }
void SipServer::RequestStop() { impl_->RequestStop(); }

}  // namespace kronika::srs
