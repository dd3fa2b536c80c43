// Sign-in (issue 16 item 4, ACCESS-1): argon2id password hashes, the lock-out rules, the
// session store's idle timeout and lifetime, the sign-in service, and the session API with
// its cookie and CSRF check on a real HttpServer over loopback. LDAP binds against a real
// slapd are the integration test access:ldap.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "access_codecs.h"
#include "http_test_client.h"
#include "kronika/srs/access/access_context.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/access/lockout.h"
#include "kronika/srs/access/password_hash.h"
#include "kronika/srs/access/session_store.h"
#include "kronika/srs/access/sign_in.h"
#include "kronika/srs/core/metrics.h"
#include "kronika/srs/http/access_routes.h"
#include "kronika/srs/http/http_server.h"
#include "kronika/srs/http/session_routes.h"
#include "kronika/srs/store/database.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kMinute = 60'000;
constexpr char kPassword[] = "correct horse battery";

User Person(const std::string& name, Role role) {
  User u;
  u.username = name;
  u.name = "Anna";
  u.surname = "Nowak";
  u.position = "inspector";
  u.roles = {role};
  u.created_ms_utc = kNow;
  return u;
}

TEST_CASE("access signin: argon2id hashes verify only their password and carry salt and cost") {
  Result<std::string> a = HashPassword(kPassword);
  Result<std::string> b = HashPassword(kPassword);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->rfind("$argon2id$v=19$", 0) == 0);
  CHECK(*a != *b);  // a fresh salt each time
  CHECK(VerifyPassword(*a, kPassword));
  CHECK_FALSE(VerifyPassword(*a, "correct horse battery "));
  CHECK_FALSE(VerifyPassword(*a, ""));
  CHECK_FALSE(VerifyPassword("", kPassword));
  CHECK_FALSE(VerifyPassword("$argon2id$garbage", kPassword));
  CHECK_FALSE(PasswordNeedsRehash(*a));
  CHECK(PasswordNeedsRehash("$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$aGFzaA"));
  CHECK(HashPassword("short").error().code == ErrorCode::kInvalidInput);
  CHECK(HashPassword(std::string("ten chars\0x", 11)).error().code == ErrorCode::kInvalidInput);
}

TEST_CASE("access signin: the users table keeps the hash and language (row version 2), reads version 1") {
  User u = Person("anna", Role::kListener);
  u.password_hash = HashPassword(kPassword).value();
  u.language = "en";
  Result<User> back = UserCodec::Decode("anna", UserCodec::Encode(u));
  REQUIRE(back.ok());
  CHECK(back->password_hash == u.password_hash);
  CHECK(back->language == "en");
  // A version-1 row (before issue 16) is a user without a password, in the office's language.
  std::string v1 = UserCodec::Encode(Person("anna", Role::kListener));
  v1[0] = 1;
  v1.resize(v1.size() - 2);  // the two empty strings version 2 appended
  Result<User> old = UserCodec::Decode("anna", v1);
  REQUIRE(old.ok());
  CHECK(old->password_hash.empty());
  CHECK(old->language.empty());
}

TEST_CASE("access signin: lock-out after 5 failures in 15 min, per username and per address") {
  LockoutTracker t(LockoutOptions{});
  for (int i = 0; i < 4; ++i) CHECK_FALSE(t.RecordFailure("anna", "10.0.0.1", kNow + i).username_locked);
  CHECK(t.LockedUntil("anna", "10.0.0.9", kNow + 10) == 0);
  LockoutChange fifth = t.RecordFailure("anna", "10.0.0.1", kNow + 10);
  CHECK(fifth.username_locked);
  CHECK(fifth.address_locked);
  CHECK(t.LockedUntil("anna", "10.0.0.9", kNow + 11) == kNow + 10 + 15 * kMinute);  // the username, from anywhere
  CHECK(t.LockedUntil("jan", "10.0.0.1", kNow + 11) == kNow + 10 + 15 * kMinute);   // the address, for anyone
  CHECK(t.LockedUntil("jan", "10.0.0.9", kNow + 11) == 0);
  CHECK(t.LockedUntil("anna", "10.0.0.9", kNow + 10 + 15 * kMinute) == 0);  // it ends

  // Failures spread wider than the window never lock.
  LockoutTracker slow(LockoutOptions{});
  for (int i = 0; i < 10; ++i) CHECK_FALSE(slow.RecordFailure("jan", "10.0.0.2", kNow + i * 4 * kMinute).username_locked);

  // A success forgets the username's failures, not the address's.
  LockoutTracker reset(LockoutOptions{});
  for (int i = 0; i < 4; ++i) reset.RecordFailure("ewa", "10.0.0.3", kNow);
  reset.RecordSuccess("ewa");
  CHECK_FALSE(reset.RecordFailure("ewa", "10.0.0.3", kNow).username_locked);
  CHECK(reset.LockedUntil("other", "10.0.0.3", kNow) > kNow);  // 5th failure from the address

  LockoutTracker off(LockoutOptions{0, 0, 15 * kMinute, 15 * kMinute});
  for (int i = 0; i < 50; ++i) off.RecordFailure("anna", "10.0.0.1", kNow);
  CHECK(off.LockedUntil("anna", "10.0.0.1", kNow) == 0);
}

TEST_CASE("access signin: sessions end after the idle timeout and the lifetime, and at sign-out") {
  SessionStore store(SessionOptions{15 * kMinute, 8 * 60 * kMinute, 100});
  const User anna = Person("anna", Role::kListener);
  NewSession s = store.Create(anna, "password", "10.0.0.1", kNow);
  CHECK(s.secret.size() == 64);
  CHECK(s.session.csrf_token.size() == 64);
  CHECK(s.session.id.size() == 16);
  CHECK(s.secret.find(s.session.id) == std::string::npos);  // the public id is not part of the secret
  REQUIRE(store.Use(s.secret, kNow + 14 * kMinute).ok());
  REQUIRE(store.Use(s.secret, kNow + 28 * kMinute).ok());  // each use restarts the idle time
  Result<SignInSession> idle = store.Use(s.secret, kNow + 44 * kMinute);
  REQUIRE_FALSE(idle.ok());
  CHECK(idle.error().code == ErrorCode::kUnauthenticated);
  CHECK(idle.error().message.find("inactivity") != std::string::npos);
  CHECK_FALSE(store.Use(s.secret, kNow + 28 * kMinute).ok());  // removed for good

  NewSession busy = store.Create(anna, "password", "10.0.0.1", kNow);
  for (int64_t t = kNow; t < kNow + 8 * 60 * kMinute; t += 10 * kMinute) REQUIRE(store.Use(busy.secret, t).ok());
  Result<SignInSession> old = store.Use(busy.secret, kNow + 8 * 60 * kMinute);
  REQUIRE_FALSE(old.ok());
  CHECK(old.error().message.find("lifetime") != std::string::npos);

  NewSession out = store.Create(anna, "password", "10.0.0.1", kNow);
  std::string other = out.secret;
  other[0] = other[0] == '0' ? '1' : '0';  // one hex digit changed
  CHECK_FALSE(store.Use(other, kNow).ok());
  CHECK(store.Remove(out.secret));
  CHECK_FALSE(store.Use(out.secret, kNow).ok());
  CHECK(store.Count(kNow) == 0);
}

struct Directory {
  Directory() {
    db = Database::Open(StoreDir(dir.path()), DatabaseOptions{}).value();
    access = AccessDb::Open(db, dir.path()).value();
    users = std::make_unique<UserDirectory>(*access);
  }
  TempDir dir;
  std::shared_ptr<Database> db;
  std::unique_ptr<AccessDb> access;
  std::unique_ptr<UserDirectory> users;
};

TEST_CASE("access signin: password sign-in, wrong passwords lock, disabled users refused after the password") {
  Directory d;
  User anna = Person("anna", Role::kListener);
  REQUIRE(d.users->Add(anna).ok());
  REQUIRE(d.users->SetPasswordHash("anna", HashPassword(kPassword).value()).ok());
  REQUIRE(d.users->Add(Person("nopass", Role::kListener)).ok());
  prometheus::Registry registry;
  SignInService service(*d.users, LockoutOptions{3, 100, 15 * kMinute, 15 * kMinute}, nullptr, &registry);

  SignInOutcome ok = service.SignIn("anna", kPassword, "10.0.0.1", kNow);
  CHECK(ok.result == SignInResult::kOk);
  CHECK(ok.method == "password");
  CHECK(ok.user.Has(Role::kListener));
  CHECK(service.SignIn("Anna", kPassword, "10.0.0.1", kNow).result == SignInResult::kOk);  // any case
  CHECK(service.SignIn("ghost", kPassword, "10.0.0.1", kNow).result == SignInResult::kBadCredentials);
  CHECK(service.SignIn("anna,ou=x", kPassword, "10.0.0.2", kNow).result == SignInResult::kBadCredentials);
  CHECK(service.SignIn("nopass", "", "10.0.0.1", kNow).result == SignInResult::kBadCredentials);

  for (int i = 0; i < 3; ++i) CHECK(service.SignIn("anna", "wrong password", "10.0.0.1", kNow).result == SignInResult::kBadCredentials);
  SignInOutcome locked = service.SignIn("anna", kPassword, "10.0.0.1", kNow + 1);  // even the right one
  CHECK(locked.result == SignInResult::kLocked);
  CHECK(locked.locked_until_ms_utc == kNow + 15 * kMinute);
  CHECK(service.SignIn("anna", kPassword, "10.0.0.1", kNow + 15 * kMinute).result == SignInResult::kOk);

  REQUIRE(d.users->SetDisabled("anna", true).ok());
  CHECK(service.SignIn("anna", "wrong password", "10.0.0.1", kNow + 16 * kMinute).result ==
        SignInResult::kBadCredentials);
  CHECK(service.SignIn("anna", kPassword, "10.0.0.1", kNow + 16 * kMinute).result == SignInResult::kDisabled);

  const auto count = [&](const std::string& result) {
    for (const auto& family : registry.Collect()) {
      if (family.name != "kronika_access_signin_total") continue;
      for (const auto& m : family.metric) {
        if (m.label.size() == 1 && m.label[0].value == result) return m.counter.value;
      }
    }
    return -1.0;
  };
  CHECK(count("ok") == 3);
  CHECK(count("bad_credentials") == 7);
  CHECK(count("locked") == 1);
  CHECK(count("disabled") == 1);
}

// The session API on a real HttpServer: cookie flags, CSRF on changes, idle timeout,
// sign-out.
struct Api {
  explicit Api(SessionOptions sessions, bool secure = false) {
    db = Database::Open(StoreDir(dir.path()), DatabaseOptions{}).value();
    store = Store::Open(db, StoreOptions{}).value();
    AccessOptions o;
    o.data_dir = dir.path();
    o.encrypt_interval = std::chrono::milliseconds(0);
    o.sessions = sessions;
    access = AccessContext::Open(o, *store, &metrics).value();
    User keeper = Person("keeper", Role::kRecordsKeeper);
    keeper.language = "en";
    REQUIRE(access->users().Add(keeper).ok());
    REQUIRE(access->users().SetPasswordHash("keeper", HashPassword(kPassword).value()).ok());
    HttpServerOptions options;
    options.port = 0;
    options.workers = 2;
    server = std::make_unique<HttpServer>(options);
    MountAccessApi(*server, *access);
    MountSessionApi(*server, *access, SessionRouteOptions{secure});
    REQUIRE(server->Start().ok());
  }
  ~Api() { server->Stop(); }

  testing::RawHttpReply Call(const std::string& method, const std::string& target, const std::string& headers = "",
                             const std::string& body = "") {
    return testing::RawHttpRequest(server->port(), method, target, headers, body);
  }

  TempDir dir;
  Metrics metrics;
  std::shared_ptr<Database> db;
  std::unique_ptr<Store> store;
  std::unique_ptr<AccessContext> access;
  std::unique_ptr<HttpServer> server;
};

std::string HeaderOf(const std::string& head, const std::string& name) {
  const size_t at = head.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  const size_t from = at + name.size() + 4;
  return head.substr(from, head.find("\r\n", from) - from);
}

TEST_CASE("access signin: the session cookie, CSRF on every change, idle timeout and sign-out over HTTP") {
  Api api(SessionOptions{2000, 8 * 60 * kMinute, 100});
  const std::string json = "Content-Type: application/json\r\n";
  CHECK(api.Call("POST", "/api/v1/session", json, R"({"username":"keeper","password":"nope nope nope"})").status ==
        401);
  testing::RawHttpReply in =
      api.Call("POST", "/api/v1/session", json, R"({"username":"keeper","password":"correct horse battery"})");
  REQUIRE(in.status == 200);
  const std::string cookie = HeaderOf(in.head, "Set-Cookie");
  CHECK(cookie.rfind("kronika_session=", 0) == 0);
  CHECK(cookie.find("; HttpOnly") != std::string::npos);
  CHECK(cookie.find("; SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("; Path=/") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);  // plain HTTP here (access:https checks Secure)
  const nlohmann::json session = nlohmann::json::parse(in.body);
  CHECK(session["user"] == "keeper");
  CHECK(session["roles"] == nlohmann::json::array({"records_keeper"}));
  CHECK(session["name"] == "Anna Nowak");
  CHECK(session["language"] == "en");
  CHECK(session["idle_timeout_s"] == 2);
  const std::string csrf = session["csrf_token"];
  const std::string sent_cookie = "Cookie: " + cookie.substr(0, cookie.find(';')) + "\r\n";

  testing::RawHttpReply me = api.Call("GET", "/api/v1/session", sent_cookie);
  REQUIRE(me.status == 200);
  CHECK(nlohmann::json::parse(me.body)["csrf_token"] == csrf);
  CHECK(api.Call("GET", "/api/v1/users", sent_cookie).status == 403);  // a role it does not have
  CHECK(api.Call("GET", "/api/v1/disclosures", sent_cookie).status == 200);

  // A change with the cookie alone is refused (CSRF), and so is one with a wrong token.
  const std::string body = R"({"requester_institution":"Prokuratura","legal_basis":"art. 1","recording_ids":[]})";
  testing::RawHttpReply forged = api.Call("POST", "/api/v1/disclosures", sent_cookie + json, body);
  CHECK(forged.status == 403);
  CHECK(forged.body.find("X-CSRF-Token") != std::string::npos);
  CHECK(api.Call("POST", "/api/v1/disclosures", sent_cookie + json + "X-CSRF-Token: " + std::string(64, '0') + "\r\n",
                 body)
            .status == 403);
  CHECK(api.Call("DELETE", "/api/v1/session", sent_cookie).status == 403);
  // With the token the request reaches its handler (which judges the body itself).
  CHECK(api.Call("POST", "/api/v1/disclosures", sent_cookie + json + "X-CSRF-Token: " + csrf + "\r\n", body).status !=
        403);

  // Idle for longer than 2 s: signed out.
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  testing::RawHttpReply idle = api.Call("GET", "/api/v1/session", sent_cookie);
  CHECK(idle.status == 401);
  CHECK(idle.body.find("inactivity") != std::string::npos);

  // Sign in again, sign out: the cookie is cleared and no longer works.
  testing::RawHttpReply again =
      api.Call("POST", "/api/v1/session", json, R"({"username":"keeper","password":"correct horse battery"})");
  REQUIRE(again.status == 200);
  const std::string cookie2 = HeaderOf(again.head, "Set-Cookie");
  const std::string sent2 = "Cookie: " + cookie2.substr(0, cookie2.find(';')) + "\r\n";
  const std::string csrf2 = nlohmann::json::parse(again.body)["csrf_token"];
  testing::RawHttpReply out = api.Call("DELETE", "/api/v1/session", sent2 + "X-CSRF-Token: " + csrf2 + "\r\n");
  CHECK(out.status == 200);
  CHECK(HeaderOf(out.head, "Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(api.Call("GET", "/api/v1/session", sent2).status == 401);

  // Refusals counted: two CSRF refusals and one after sign-out's DELETE without a token.
  bool counted = false;
  for (const auto& family : api.metrics.registry().Collect()) {
    if (family.name != "kronika_access_refused_total") continue;
    for (const auto& m : family.metric) {
      if (m.label.size() == 1 && m.label[0].value == "csrf") counted = m.counter.value == 3;
    }
  }
  CHECK(counted);
}

TEST_CASE("access signin: the cookie says Secure when the API is served over HTTPS") {
  Api api(SessionOptions{}, /*secure=*/true);
  testing::RawHttpReply in = api.Call("POST", "/api/v1/session", "Content-Type: application/json\r\n",
                                      R"({"username":"keeper","password":"correct horse battery"})");
  REQUIRE(in.status == 200);
  CHECK(HeaderOf(in.head, "Set-Cookie").find("; Secure") != std::string::npos);
}

TEST_CASE("access signin: API tokens expire with a clear message") {
  Directory d;
  REQUIRE(d.users->Add(Person("script", Role::kAuditor)).ok());
  const std::string token = d.users->IssueToken("script", "cron", kNow, kNow + 90LL * 24 * 60 * kMinute).value();
  CHECK(d.users->Authenticate(token, kNow + 89LL * 24 * 60 * kMinute).ok());
  Result<Identity> late = d.users->Authenticate(token, kNow + 90LL * 24 * 60 * kMinute);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == ErrorCode::kUnauthenticated);
  CHECK(late.error().message.find("expired") != std::string::npos);
  CHECK(d.users->IssueToken("script", "cron", kNow, kNow - 1).error().code == ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace kronika::srs
