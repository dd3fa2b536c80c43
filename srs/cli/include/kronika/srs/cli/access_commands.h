// Command-line tools of the access module. argv[0] is the command name ("user", ...).
// Every command takes --data-dir DIR (default: storage.data_dir of --config FILE, else
// ./var). Exit codes: 0 ok, 1 check failed / runtime error, 2 usage error.
//   kronika user add NAME --role R[,R..] --name N --surname S --position P [--authorised-by REF]
//   kronika user list | disable NAME | enable NAME | token NAME [--label L] | revoke TOKEN_ID
//   kronika register verify | head | export --csv|--html [--out FILE]
//   kronika export verify PACKAGE [--signing-key-file F]
//   kronika key status | rotate --new-key-file F   (current key: KRONIKA_MASTER_KEY_FILE)
#pragma once

namespace kronika::srs {

int RunUserCommand(int argc, char** argv);
int RunRegisterCommand(int argc, char** argv);
int RunExportCommand(int argc, char** argv);
int RunKeyCommand(int argc, char** argv);

}  // namespace kronika::srs
