// The web page's texts (see ui_strings.h). A text is added here with its key, then used as
// {{key}} in ui/index.html or t('key') in a script, and translated in po/pl/ui.po (the
// i18n checks fail on a msgid without Polish). Texts people read never name a requirement.
#include "ui_strings.h"

#include <utility>

#include "kronika/srs/core/i18n.h"

namespace kronika::srs {
namespace {

struct UiString {
  std::string_view key;
  const char* msgid;
};

// Keys group by where they are used: app/nav/signin/role/error (the shell, app.js), the
// rest by requests.js. Keys built in the scripts ('reason.' + code, 'status.' + status,
// 'role.' + role, 'informed.' + how, 'validity.' + minutes, 'recording_state.' + state,
// 'error.' + HTTP status) must list every value the server can send.
constexpr UiString kStrings[] = {
    {"app.title", N_("Kronika - access to call recordings")},
    {"app.skip", N_("Skip to main content")},
    {"app.nav", N_("Sections")},
    {"nav.recordings", N_("Recordings")},
    {"nav.requests", N_("Playback requests")},
    {"signin.title", N_("Signing in")},
    {"signin.username", N_("User name")},
    {"signin.password", N_("Password")},
    {"signin.submit", N_("Sign in")},
    {"signin.out", N_("Sign out")},
    {"signin.token_summary", N_("Sign in with an API token")},
    {"signin.token", N_("API token")},
    // TRANSLATORS: {0} is the person's name, {1} their roles
    {"signin.as", N_("Signed in: {0} ({1})")},
    {"signin.done", N_("You are signed in.")},
    {"signin.signed_out", N_("You are signed out.")},
    {"signin.expired", N_("Your session has ended. Please sign in again.")},
    {"signin.failed", N_("Wrong user name or password.")},
    {"signin.locked", N_("Too many failed attempts: the account is locked for a while. Try again later.")},
    {"signin.unavailable", N_("Signing in with a password is not available on this server; use an API token.")},
    {"signin.bad_token", N_("The API token is not valid.")},
    {"signin.missing", N_("Fill in every field.")},
    {"role.administrator", N_("administrator")},
    {"role.records_keeper", N_("records keeper")},
    {"role.approver", N_("approver")},
    {"role.listener", N_("listener")},
    {"role.dpo", N_("data protection officer")},
    {"role.auditor", N_("auditor")},
    {"role.unit_head", N_("head of unit")},
    {"error.400", N_("The data entered is incomplete or incorrect.")},
    {"error.401", N_("You are not signed in.")},
    {"error.403", N_("You are not authorised to do this.")},
    {"error.404", N_("Not found: it may have been removed.")},
    {"error.409", N_("This has already been done or must wait for another step.")},
    {"error.422", N_("The data entered does not match the recording.")},
    {"error.500", N_("The server could not complete the operation.")},
    {"error.503", N_("The server is busy. Try again in a moment.")},
    {"error.other", N_("The operation failed.")},
    {"reason.a", N_("caller's verbal aggression")},
    {"reason.b", N_("breach of the employee's personal rights")},
    {"reason.c", N_("attempted bribery")},
    {"reason.d", N_("breach of law")},
    {"reason.e", N_("complaint about how the caller was treated")},
    {"reason.f", N_("employee's verbal aggression")},
    {"reason.g", N_("breach of the caller's personal rights")},
    {"reason.caller", N_("caller's request to hear their own call")},
    {"status.pending", N_("awaiting decision")},
    {"status.approved", N_("approved")},
    {"status.refused", N_("refused")},
    {"recordings.number", N_("Phone number")},
    {"recordings.search", N_("Search")},
    {"recordings.caption", N_("Recorded calls, newest first")},
    {"recordings.pick", N_("Choose")},
    {"recordings.pick_one", N_("Choose the call of {0}")},
    {"recordings.start", N_("Call started")},
    {"recordings.duration", N_("Duration")},
    {"recordings.participants", N_("Participants")},
    {"recordings.notes", N_("Notes")},
    {"recordings.restricted", N_("Processing restricted: cannot be requested.")},
    {"recordings.masked", N_("Numbers hidden until a request is approved.")},
    {"recordings.none", N_("No recordings found.")},
    {"request.title", N_("New playback request")},
    {"request.intro", N_("Choose the calls above, then state the reason. The approver decides on the request.")},
    {"request.reason", N_("Reason")},
    {"request.caller_number", N_("Caller's phone number")},
    {"request.caller_number_hint", N_("The number the caller called from; it must appear in the chosen calls.")},
    {"request.justification", N_("Kind of incident and circumstances")},
    {"request.justification_hint", N_("Required: what happened and why the call must be heard.")},
    {"request.protocol", N_("For the playback protocol (optional)")},
    {"request.causes", N_("Causes of the incident")},
    {"request.actions", N_("Actions taken")},
    {"request.follow_up", N_("Follow-up (explanatory proceedings)")},
    {"request.submit", N_("File the request")},
    {"request.pick_missing", N_("Choose at least one call.")},
    {"request.caller_missing", N_("Enter the caller's phone number.")},
    {"request.caller_not_found", N_("The caller's number does not appear in every chosen call.")},
    {"request.justification_missing", N_("Describe the kind of incident and its circumstances.")},
    {"request.filed", N_("Request {0} has been filed.")},
    {"request.number", N_("Request")},
    {"request.requester", N_("Requested by")},
    {"request.filed_at", N_("Filed")},
    {"request.status", N_("Status")},
    {"request.detail", N_("Request {0}")},
    {"request.recordings", N_("Calls in this request")},
    {"requests.caption", N_("Playback requests, newest first")},
    {"requests.open", N_("Details")},
    {"requests.open_one", N_("Show request {0}")},
    {"requests.none", N_("There are no requests.")},
    {"opinion.dpo", N_("Opinion of the data protection officer")},
    {"opinion.unit_head", N_("Opinion of the head of unit")},
    // TRANSLATORS: after "Opinions still missing:" - whose opinion (Polish genitive)
    {"missing.dpo", N_("of the data protection officer")},
    // TRANSLATORS: after "Opinions still missing:" - whose opinion (Polish genitive)
    {"missing.unit_head", N_("of the head of unit")},
    {"opinion.none", N_("not given yet")},
    {"opinion.for", N_("in favour")},
    {"opinion.against", N_("against")},
    {"opinion.give_dpo", N_("Your opinion as data protection officer")},
    {"opinion.give_unit_head", N_("Your opinion as head of unit")},
    {"opinion.position", N_("Your position")},
    {"opinion.text", N_("Justification")},
    {"opinion.text_hint", N_("Required when you are against.")},
    {"opinion.submit", N_("Record the opinion")},
    {"opinion.position_missing", N_("Choose in favour or against.")},
    {"opinion.text_missing", N_("Give the justification of your opinion.")},
    {"opinion.recorded", N_("The opinion on request {0} has been recorded.")},
    {"decision.title", N_("Decision on the request")},
    {"decision.choice", N_("Your decision")},
    {"decision.grant", N_("approve")},
    {"decision.refuse", N_("refuse")},
    {"decision.note", N_("Approver's position")},
    {"decision.note_hint", N_("Required: goes into the request and the playback protocol.")},
    {"decision.validity", N_("Playback allowed for")},
    {"decision.validity_hint", N_("Only for an approval: after this time the listener must ask again.")},
    {"decision.next", N_("Continue")},
    {"decision.confirm_title", N_("Confirm the decision")},
    {"decision.confirm_grant", N_("Approve request {0}? Playback will be allowed for {1}.")},
    {"decision.confirm_refuse", N_("Refuse request {0}?")},
    {"decision.confirm", N_("Confirm")},
    {"decision.back", N_("Go back")},
    {"decision.choice_missing", N_("Choose approve or refuse.")},
    {"decision.note_missing", N_("State your position.")},
    {"decision.missing", N_("Opinions still missing: {0}")},
    {"decision.own", N_("You filed this request yourself, so another approver must decide on it.")},
    {"decision.granted", N_("Request {0} has been approved.")},
    {"decision.refused", N_("Request {0} has been refused.")},
    {"decision.by", N_("Decided by")},
    {"decision.valid_until", N_("Playback allowed until")},
    {"validity.60", N_("1 hour")},
    {"validity.480", N_("8 hours")},
    {"validity.1440", N_("24 hours")},
    {"validity.4320", N_("3 days")},
    {"validity.10080", N_("7 days")},
    {"informed.title", N_("Employee informed")},
    {"informed.how", N_("How the employee was informed")},
    {"informed.in person", N_("in person")},
    {"informed.phone", N_("by phone")},
    {"informed.e-mail", N_("by e-mail")},
    {"informed.letter", N_("in writing")},
    {"informed.submit", N_("Record that the employee was informed")},
    {"informed.recorded", N_("It has been recorded that the employee was informed.")},
    // TRANSLATORS: {0} is how (e.g. in person), {1} the date and time
    {"informed.done", N_("informed {0}, {1}")},
    {"informed.not_yet", N_("not informed yet")},
    {"recording_state.title", N_("Recording")},
    {"recording_state.available", N_("kept")},
    {"recording_state.erased", N_("erased")},
    {"recording_state.restricted", N_("processing restricted")},
    {"play.title", N_("Playback")},
    {"play.button", N_("Play call {0}")},
    {"play.playing", N_("Playing call {0}.")},
    {"play.player", N_("Player")},
    {"play.erased", N_("The recording has been erased and cannot be played.")},
    {"play.restricted", N_("Processing of the recording is restricted: it cannot be played.")},
    {"play.expired", N_("The approval has expired.")},
    {"play.not_informed", N_("The employee has not been informed yet.")},
    {"play.refused", N_("Playback was refused.")},
};

}  // namespace

std::optional<std::string> UiText(std::string_view language, std::string_view key) {
  for (const UiString& s : kStrings) {
    if (s.key == key) return Tr(language, s.msgid);
  }
  return std::nullopt;
}

nlohmann::json UiTexts(std::string_view language) {
  nlohmann::json out = nlohmann::json::object();
  for (const UiString& s : kStrings) out[std::string(s.key)] = Tr(language, s.msgid);
  return out;
}

}  // namespace kronika::srs
