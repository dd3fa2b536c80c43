// The sofia-sip side of kronika-loadgen: one su_root thread owns every call handle.
#include "load_run.h"

#include <arpa/inet.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>

#include <nlohmann/json.hpp>
#include <sofia-sip/nua.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_wait.h>

#include "rtp_sender.h"
#include "rtp_source.h"
#include "siprec_offer.h"
#include "speech_audio.h"

namespace kronika::loadgen {
namespace {

using Clock = std::chrono::steady_clock;
constexpr su_duration_t kSchedulerTickMs = 5;
// Packets a stream may send beyond its planned length (a BYE that goes out late).
constexpr uint64_t kStreamSlackPackets = 250;
constexpr int kToneHz = 440;

enum class CallState { kInviting, kActive, kHolding, kHeld, kResuming, kUpdating, kByeing, kDone };

struct Call {
  int index = 0;
  nua_handle_t* handle = nullptr;
  CallState state = CallState::kInviting;
  Clock::time_point invited_at, end_at, hold_at, resume_at, update_at;
  bool plan_hold = false, plan_update = false, held_once = false, updated_once = false;
  RtpSender* sender = nullptr;
  std::vector<uint64_t> streams;
};

class Runner {
 public:
  Runner(const LoadPlan& plan, const RtpSource& source, std::vector<std::unique_ptr<RtpSender>> senders)
      : plan_(plan), source_(source), senders_(std::move(senders)), rng_(plan.seed) {}

  Result<LoadReport> Run();

 private:
  static void OnEvent(nua_event_t event, int status, char const* phrase, nua_t* nua,
                      nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic,
                      sip_t const* sip, tagi_t tags[]) noexcept;
  static void OnTick(su_root_magic_t* magic, su_timer_t* timer, su_timer_arg_t* arg) noexcept;
  void HandleEvent(nua_event_t event, int status, Call* call, sip_t const* sip);
  void Tick();
  void StartCall();
  void StartMedia(Call& call, sip_t const* sip);
  void Finish(Call& call);
  void SendOffer(Call& call, bool paused);

  const LoadPlan& plan_;
  const RtpSource& source_;
  std::vector<std::unique_ptr<RtpSender>> senders_;
  std::mt19937 rng_;
  su_root_t* root_ = nullptr;
  nua_t* nua_ = nullptr;
  std::vector<std::unique_ptr<Call>> calls_;
  int active_ = 0;
  LoadReport report_;
  std::vector<double> setup_ms_;
  Clock::time_point start_, last_start_;
  bool shutting_down_ = false;
};

void Runner::OnEvent(nua_event_t event, int status, char const*, nua_t*, nua_magic_t* magic,
                     nua_handle_t*, nua_hmagic_t* hmagic, sip_t const* sip, tagi_t[]) noexcept {
  auto* runner = reinterpret_cast<Runner*>(magic);
  if (event == nua_r_shutdown) {
    if (status >= 200) su_root_break(runner->root_);
    return;
  }
  if (hmagic == nullptr) return;
  runner->HandleEvent(event, status, reinterpret_cast<Call*>(hmagic), sip);
}

void Runner::OnTick(su_root_magic_t* magic, su_timer_t*, su_timer_arg_t*) noexcept {
  reinterpret_cast<Runner*>(magic)->Tick();
}

void Runner::SendOffer(Call& call, bool paused) {
  OfferParams params{plan_.local_ip, call.sender->port(), call.index, paused, true, plan_.codec,
                     source_.sdes_key_base64()};
  const std::string body = SiprecOfferBody(params);
  const std::string content_type = MultipartContentType();
  nua_invite(call.handle, SIPTAG_CONTENT_TYPE_STR(content_type.c_str()),
             SIPTAG_PAYLOAD_STR(body.c_str()), SIPTAG_REQUIRE_STR("siprec"), TAG_END());
}

void Runner::StartCall() {
  auto call = std::make_unique<Call>();
  call->index = report_.attempted++;
  call->sender = senders_[static_cast<size_t>(call->index) % senders_.size()].get();
  std::uniform_real_distribution<double> duration(plan_.duration_min_s, plan_.duration_max_s);
  std::uniform_real_distribution<double> unit(0, 1);
  const double seconds = duration(rng_);
  call->plan_hold = unit(rng_) < plan_.hold_fraction;
  call->plan_update = unit(rng_) < plan_.update_fraction;
  call->invited_at = Clock::now();
  auto at = [&](double fraction) {
    return call->invited_at + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(seconds * fraction));
  };
  call->end_at = at(1.0);
  call->hold_at = at(0.3);
  call->resume_at = at(0.5);
  call->update_at = at(0.7);
  const std::string target = "sip:srs@" + plan_.target_host + ":" + std::to_string(plan_.target_port);
  const std::string from = "<sip:sbc@" + plan_.local_ip + ">";
  call->handle = nua_handle(nua_, reinterpret_cast<nua_hmagic_t*>(call.get()),
                            NUTAG_URL(target.c_str()), SIPTAG_TO_STR(target.c_str()),
                            SIPTAG_FROM_STR(from.c_str()), TAG_END());
  SendOffer(*call, false);
  ++active_;
  report_.max_concurrent = std::max(report_.max_concurrent, active_);
  calls_.push_back(std::move(call));
}

void Runner::StartMedia(Call& call, sip_t const* sip) {
  if (sip == nullptr || sip->sip_payload == nullptr) return;
  su_home_t* home = static_cast<su_home_t*>(su_home_new(sizeof(su_home_t)));
  sdp_parser_t* parser = sdp_parse(home, sip->sip_payload->pl_data,
                                   static_cast<isize_t>(sip->sip_payload->pl_len), sdp_f_config);
  if (sdp_session_t* sdp = sdp_session(parser)) {
    for (sdp_media_t* m = sdp->sdp_media; m != nullptr; m = m->m_next) {
      const sdp_connection_t* c = m->m_connections ? m->m_connections : sdp->sdp_connection;
      if (m->m_port == 0 || c == nullptr || c->c_address == nullptr) continue;
      sockaddr_in dest{};
      dest.sin_family = AF_INET;
      dest.sin_port = htons(static_cast<uint16_t>(m->m_port));
      if (inet_pton(AF_INET, c->c_address, &dest.sin_addr) != 1) continue;
      call.streams.push_back(call.sender->AddStream(dest));
    }
  }
  sdp_parser_free(parser);
  su_home_unref(home);
}

void Runner::Finish(Call& call) {
  for (uint64_t id : call.streams) call.sender->RemoveStream(id);
  call.streams.clear();
  if (call.handle != nullptr) nua_handle_destroy(call.handle);
  call.handle = nullptr;
  call.state = CallState::kDone;
  --active_;
}

void Runner::HandleEvent(nua_event_t event, int status, Call* call, sip_t const* sip) {
  if (call->state == CallState::kDone) return;
  switch (event) {
    case nua_r_invite:
      if (status < 200) return;
      if (call->state == CallState::kInviting) {
        if (status >= 300) {
          ++report_.failures_by_code[status];
          Finish(*call);
          return;
        }
        ++report_.answered;
        setup_ms_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - call->invited_at).count());
        call->state = CallState::kActive;
        StartMedia(*call, sip);
      } else if (call->state == CallState::kHolding || call->state == CallState::kResuming) {
        if (status >= 300) ++report_.mid_call_failures;
        const bool held = call->state == CallState::kHolding;
        for (uint64_t id : call->streams) call->sender->SetPaused(id, held);
        call->state = held ? CallState::kHeld : CallState::kActive;
        if (held) ++report_.holds;
      }
      return;
    case nua_r_update:
      if (status < 200) return;
      if (status >= 300) ++report_.mid_call_failures; else ++report_.updates;
      call->state = CallState::kActive;
      return;
    case nua_r_bye:
      if (status < 200) return;
      if (status == 200) ++report_.completed; else ++report_.mid_call_failures;
      Finish(*call);
      return;
    case nua_i_bye:  // the SRS hung up on us
      ++report_.mid_call_failures;
      Finish(*call);
      return;
    default:
      return;
  }
}

void Runner::Tick() {
  const auto now = Clock::now();
  // Start calls at the configured rate while below the concurrency target.
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const int allowed = static_cast<int>(elapsed * plan_.setup_rate_per_s) + 1;
  while (report_.attempted < plan_.total && active_ < plan_.concurrent && report_.attempted < allowed) {
    StartCall();
    last_start_ = now;
  }
  for (auto& owned : calls_) {
    Call& call = *owned;
    if (call.state == CallState::kActive) {
      if (now >= call.end_at) {
        // Media stops before the BYE, as on an SBC ending its fork: every packet sent
        // then reaches an open recording, so sent == accepted is exact.
        for (uint64_t id : call.streams) call.sender->RemoveStream(id);
        call.streams.clear();
        call.state = CallState::kByeing;
        nua_bye(call.handle, TAG_END());
      } else if (call.plan_hold && !call.held_once && now >= call.hold_at) {
        call.held_once = true;
        call.state = CallState::kHolding;
        for (uint64_t id : call.streams) call.sender->SetPaused(id, true);
        SendOffer(call, true);
      } else if (call.plan_update && !call.updated_once && now >= call.update_at) {
        call.updated_once = true;
        call.state = CallState::kUpdating;
        const std::string xml = MetadataUpdateBody(call.index);
        nua_update(call.handle, SIPTAG_CONTENT_TYPE_STR("application/rs-metadata+xml"),
                   SIPTAG_PAYLOAD_STR(xml.c_str()), TAG_END());
      }
    } else if (call.state == CallState::kHeld && now >= call.resume_at) {
      call.state = CallState::kResuming;
      SendOffer(call, false);
    }
  }
  std::erase_if(calls_, [](const std::unique_ptr<Call>& c) { return c->state == CallState::kDone; });
  if (!shutting_down_ && report_.attempted == plan_.total && active_ == 0) {
    shutting_down_ = true;
    nua_shutdown(nua_);
  }
}

Result<LoadReport> Runner::Run() {
  su_init();
  root_ = su_root_create(reinterpret_cast<su_root_magic_t*>(this));
  if (root_ == nullptr) return MakeError(ErrorCode::kInternal, "sip: su_root_create failed");
  const std::string local = "sip:" + plan_.local_ip + ":" + std::to_string(plan_.sip_port) + ";transport=udp";
  nua_ = nua_create(root_, &Runner::OnEvent, reinterpret_cast<nua_magic_t*>(this),
                    NUTAG_URL(local.c_str()), NUTAG_MEDIA_ENABLE(0), NUTAG_SESSION_TIMER(0),
                    NUTAG_AUTOACK(1), NUTAG_ALLOW("INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE"),
                    NUTAG_USER_AGENT("kronika-loadgen"), TAG_END());
  if (nua_ == nullptr) return MakeError(ErrorCode::kIo, "sip: nua_create failed on " + local + " (port in use?)");
  su_timer_t* timer = su_timer_create(su_root_task(root_), kSchedulerTickMs);
  start_ = Clock::now();
  su_timer_set_for_ever(timer, &Runner::OnTick, nullptr);
  su_root_run(root_);
  su_timer_destroy(timer);
  nua_destroy(nua_);
  su_root_destroy(root_);
  su_deinit();

  report_.wall_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  const double starting = std::chrono::duration<double>(last_start_ - start_).count();
  report_.setup_rate_per_s = starting > 0 ? report_.answered / starting : report_.answered;
  if (!setup_ms_.empty()) {
    std::sort(setup_ms_.begin(), setup_ms_.end());
    auto pct = [&](double p) { return setup_ms_[static_cast<size_t>(p * (setup_ms_.size() - 1))]; };
    report_.setup_latency_p50_ms = pct(0.5);
    report_.setup_latency_p99_ms = pct(0.99);
    report_.setup_latency_max_ms = setup_ms_.back();
  }
  for (const auto& sender : senders_) {
    const SenderTotals t = sender->Totals();
    report_.rtp_packets_sent += t.packets;
    report_.rtp_bytes_sent += t.bytes;
    report_.rtp_send_errors += t.send_errors;
    report_.rtp_late_ticks += t.late_ticks;
    report_.rtp_exhausted_packets += t.exhausted_packets;
  }
  report_.audio_seconds = source_.audio_seconds();
  report_.encoded_bytes = source_.encoded_bytes();
  return report_;
}

}  // namespace

Result<LoadReport> RunLoad(const LoadPlan& plan) {
  // Each call is one SIP handle; RTP uses one socket per sender thread.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  // Everything a sender sends is prepared here, before the first call.
  const int rate_hz = CodecSpecOf(plan.codec).input_rate_hz;
  std::vector<int16_t> pcm;
  if (plan.audio_path.empty()) {
    pcm = ToneAudio(rate_hz, kToneHz, 1.0);
  } else {
    auto speech = LoadSpeech(plan.audio_path, rate_hz);
    if (!speech) return speech.error();
    pcm = std::move(*speech);
  }
  const uint64_t max_packets =
      static_cast<uint64_t>(std::ceil(plan.duration_max_s * 1000 / kPacketMs)) + kStreamSlackPackets;
  auto source = RtpSource::Create(plan.codec, pcm, plan.srtp, max_packets);
  if (!source) return source.error();

  std::vector<std::unique_ptr<RtpSender>> senders;
  for (int i = 0; i < plan.sender_threads; ++i) {
    auto sender = RtpSender::Start(plan.local_ip, plan.rtp_port_base + 2 * i, source->get(),
                                   plan.seed + static_cast<uint32_t>(i));
    if (!sender) return sender.error();
    senders.push_back(std::move(sender.value()));
  }
  Runner runner(plan, **source, std::move(senders));
  return runner.Run();
}

std::string ReportJson(const LoadPlan& plan, const LoadReport& r) {
  nlohmann::json failures = nlohmann::json::object();
  for (const auto& [code, count] : r.failures_by_code) failures[std::to_string(code)] = count;
  nlohmann::json j = {
      {"target", plan.target_host + ":" + std::to_string(plan.target_port)},
      {"concurrent_target", plan.concurrent},
      {"codec", std::string(CodecSpecOf(plan.codec).name)},
      {"srtp", plan.srtp},
      {"audio", {{"source", plan.audio_path.empty() ? std::string("tone 440 Hz") : plan.audio_path},
                 {"seconds", r.audio_seconds}, {"encoded_bytes", r.encoded_bytes}}},
      {"attempted", r.attempted},
      {"answered", r.answered},
      {"completed", r.completed},
      {"failures_by_code", failures},
      {"mid_call_failures", r.mid_call_failures},
      {"holds", r.holds},
      {"metadata_updates", r.updates},
      {"max_concurrent", r.max_concurrent},
      {"wall_seconds", r.wall_seconds},
      {"setup_rate_per_s", r.setup_rate_per_s},
      {"setup_latency_ms", {{"p50", r.setup_latency_p50_ms}, {"p99", r.setup_latency_p99_ms},
                            {"max", r.setup_latency_max_ms}}},
      {"rtp", {{"packets_sent", r.rtp_packets_sent}, {"bytes_sent", r.rtp_bytes_sent},
               {"send_errors", r.rtp_send_errors}, {"late_ticks", r.rtp_late_ticks},
               {"exhausted_packets", r.rtp_exhausted_packets}}},
  };
  return j.dump(2);
}

}  // namespace kronika::loadgen
