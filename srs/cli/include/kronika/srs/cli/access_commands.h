// Command-line tools of the access module. argv[0] is the command name ("user", ...).
// Every command takes --config FILE and --data-dir DIR (the configuration is found as
// cli_common.h says; a data dir without a database is refused). Options are strict
// (CLI11): unknown options, missing or bad values exit 2 naming the option.
// Exit codes: 0 ok, 1 check failed / runtime error, 2 usage or configuration error.
//   kronika user add NAME --role R[,R..] --name N --surname S --position P [--authorised-by REF]
//   kronika user list [--json] | disable NAME | enable NAME | revoke TOKEN_ID
//   kronika user token NAME [--label L] [--expires 90d|TIME] | tokens [NAME] [--json]
//   kronika register verify | head | export --format csv|html|pdf [--out FILE] [--from T] [--to T]
//   kronika export keygen FILE | fingerprint KEY | verify PACKAGE [...] | list [--json]
//   kronika key status [--json] | rotate --new-key-file F | probe FILE
//     (current key: KRONIKA_MASTER_KEY_FILE or --key-file)
#pragma once

namespace kronika::srs {

int RunUserCommand(int argc, char** argv);
int RunRegisterCommand(int argc, char** argv);
int RunExportCommand(int argc, char** argv);
int RunKeyCommand(int argc, char** argv);

}  // namespace kronika::srs
