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
class SofiaHome {
 public:
  SofiaHome() : home_(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t)))) {}
  ~SofiaHome() {
    if (home_ != nullptr) su_home_unref(home_);
  }
  SofiaHome(const SofiaHome&) = delete;
  SofiaHome& operator=(const SofiaHome&) = delete;

  // nullptr only when out of memory.
  su_home_t* get() const { return home_; }

 private:
  su_home_t* home_;
};

}  // namespace kronika::sdp
