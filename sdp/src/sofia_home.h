// Private to kronika_sdp: sofia-sip includes and an RAII owner for su_home_t.
//
// sofia-sip's headers are C; a few of its inline helpers trigger warnings in C++
// (-Woverflow in msg_parser.h), so they are included here once, with those warnings off.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverflow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <sofia-sip/msg_header.h>
#include <sofia-sip/msg_mime.h>
#include <sofia-sip/msg_mime_protos.h>
#include <sofia-sip/msg_parser.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>
#pragma GCC diagnostic pop

namespace kronika::sdp {

// Owns one su_home_t; everything sofia allocates from it is freed with it.
// Not copyable, not movable; lives on the stack of one parse call (one thread).
//
// The home itself is a member (su_home_init/su_home_deinit), not su_home_new(): with a
// heap home, sofia-sip 1.12.11's su_home_move() (called by msg_multipart_parse) can resize
// the block table and lose the "heap allocated" flag, so su_home_unref() then leaks the
// 24-byte su_home_t (seen with LeakSanitizer on the Cisco 3-part body).
class SofiaHome {
 public:
  SofiaHome() { ok_ = su_home_init(&home_) == 0; }
  ~SofiaHome() {
    if (ok_) su_home_deinit(&home_);
  }
  SofiaHome(const SofiaHome&) = delete;
  SofiaHome& operator=(const SofiaHome&) = delete;

  // nullptr only when out of memory.
  su_home_t* get() { return ok_ ? &home_ : nullptr; }

 private:
  su_home_t home_ = {};
  bool ok_ = false;
};

}  // namespace kronika::sdp
