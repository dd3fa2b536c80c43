// SipServer::Impl - the sofia-sip side of the SIP UAS. Private: only sip_*.cc include it.
#pragma once

#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su_strlst.h>
#include <sofia-sip/su_wait.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>

#include "kronika/srs/config/config.h"
#include "kronika/srs/core/heap_reclaimer.h"
#include "kronika/srs/session/session_manager.h"
#include "kronika/srs/sip/sip_server.h"
#include "request_guard.h"

namespace kronika::srs {

class SipServer::Impl {
 public:
  Impl(const Config& config, SipServerDeps deps);
  ~Impl();

  Status Init();  // creates root, nua, listeners, event fds
  Status Run();
  void RequestStop();

  // --- Called from the noexcept adapters in sip_callbacks.cc (SIP thread) ---
  void OnNuaEvent(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, const sip_t* sip,
                  tagi_t tags[]);
  void OnMediaFdReadable();
  void OnStopFdReadable();
  void OnTick();

 private:
  struct Dialog {
    std::string recording_id;  // "" until an INVITE was accepted
    bool bye_received = false;
    bool cancelled = false;
  };

  void OnInvite(nua_handle_t* nh, const sip_t* sip);
  void OnUpdate(nua_handle_t* nh, const sip_t* sip);
  void OnOptions(nua_handle_t* nh, const sip_t* sip);
  void OnAck(nua_handle_t* nh, const sip_t* sip);
  void OnState(nua_handle_t* nh, tagi_t tags[]);
  void Respond(nua_handle_t* nh, const char* method, const SipReply& reply, bool with_this,
               const std::string& contact = "");
  SipRequestInfo RequestInfo(const sip_t* sip) const;
  // RequestGuard on the request being handled: true when it was refused (answered, counted
  // and logged here; an out-of-dialog handle is destroyed at once).
  bool RefusedAtEdge(nua_handle_t* nh, const char* method, bool with_this);
  Session* SessionOf(nua_handle_t* nh);
  void BeginShutdown();
  void MaybeShutdownStack();  // phase 2 of a stop, see BeginShutdown()

  Config config_;
  SipServerDeps deps_;
  std::string warning_agent_;  // host:port used in Warning headers
  SessionManager manager_;
  RequestGuard guard_;
  // Gives the memory of expired transactions back to the system (issue 12 item 2): the
  // stack frees a refused INVITE's transaction at Timer H, malloc keeps the pages.
  HeapReclaimer heap_reclaimer_;

  su_root_t* root_ = nullptr;
  nua_t* nua_ = nullptr;
  su_timer_t* tick_timer_ = nullptr;
  su_strlst_t* tls_subjects_ = nullptr;  // sip.tls_client_subjects, for the TLS transport
  int stop_fd_ = -1;
  int media_fd_registration_ = -1;
  int stop_fd_registration_ = -1;
  bool params_applied_ = false;  // nua_r_set_params seen: Supported, Allow, timers in force
  bool shutting_down_ = false;
  bool nua_shutdown_done_ = false;
  bool nua_shutdown_started_ = false;
  std::chrono::steady_clock::time_point stack_shutdown_at_;  // phase-2 deadline of a stop
  std::map<nua_handle_t*, Dialog> dialogs_;
};

// The adapters (sip_callbacks.cc): sofia calls these; they forward to Impl and never throw.
void NuaCallback(nua_event_t event, int status, const char* phrase, nua_t* nua, nua_magic_t* magic,
                 nua_handle_t* nh, nua_hmagic_t* hmagic, const sip_t* sip, tagi_t tags[]) noexcept;
int MediaFdCallback(su_root_magic_t* magic, su_wait_t* wait, su_wakeup_arg_t* arg) noexcept;
int StopFdCallback(su_root_magic_t* magic, su_wait_t* wait, su_wakeup_arg_t* arg) noexcept;
void TickCallback(su_root_magic_t* magic, su_timer_t* timer, su_timer_arg_t* arg) noexcept;

}  // namespace kronika::srs
