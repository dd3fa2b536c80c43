// sofia-sip callbacks: thin noexcept adapters into SipServer::Impl. An exception escaping
// into C code would abort the process; here it is logged and the event dropped instead
// (SCOPE-4: a recorder fault must not take the SIP service down). It is the SIP thread's
// boundary (issue 13 item 4): counted in kronika_thread_faults_total{thread="kr-sip"}.
#include "kronika/srs/core/log.h"
#include "kronika/thread_boundary.h"
#include "sip_server_impl.h"

namespace kronika::srs {
namespace {

template <typename F>
void Guarded(const char* what, F&& f) noexcept {
  if (!RunGuarded(kSipThreadName, FaultEffect::kRecovered, std::forward<F>(f))) {
    Logf(LogLevel::kError, "", "sip: the %s was dropped after a fault", what);
  }
}

}  // namespace

void NuaCallback(nua_event_t event, int status, const char* phrase, nua_t*, nua_magic_t* magic,
                 nua_handle_t* nh, nua_hmagic_t*, const sip_t* sip, tagi_t tags[]) noexcept {
  auto* impl = reinterpret_cast<SipServer::Impl*>(magic);
  Guarded("nua event", [&] { impl->OnNuaEvent(event, status, phrase, nh, sip, tags); });
}

int MediaFdCallback(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) noexcept {
  auto* impl = reinterpret_cast<SipServer::Impl*>(arg);
  Guarded("media events", [&] { impl->OnMediaFdReadable(); });
  return 0;
}

int StopFdCallback(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) noexcept {
  auto* impl = reinterpret_cast<SipServer::Impl*>(arg);
  Guarded("stop request", [&] { impl->OnStopFdReadable(); });
  return 0;
}

void TickCallback(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) noexcept {
  auto* impl = reinterpret_cast<SipServer::Impl*>(arg);
  Guarded("tick", [&] { impl->OnTick(); });
}

}  // namespace kronika::srs
