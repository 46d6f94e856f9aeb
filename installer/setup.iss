; Inno Setup (6.3 or later) script for seom-desktop (compiled by installer/build.py on Windows:
;   ISCC /DAppVersion=0.1.0 /DBundleDir=..\dist\seom-desktop /DOutputDir=..\dist installer\setup.iss)
;
; - Installs per machine (Program Files, all users; asks for elevation) or per user
;   (%LOCALAPPDATA%\Programs, no elevation): Setup asks, or /ALLUSERS / /CURRENTUSER.
; - Start menu: "seom-desktop" (the window) and "Stack Controller (headless)"
;   (`seom-desktop controller`, with --shared when this workstation is the shared
;   stack controller).
; - Optionally starts the headless controller at logon on the shared-controller
;   workstation (a shortcut in the Startup folder, minimized console window).
; - The uninstaller removes the program only. The store, the log files and the settings
;   live in the user's folders (%LOCALAPPDATA%\seom-desktop, the registry under
;   HKCU\Software\seom-desktop) and are never deleted; cart credentials stay in the
;   Windows Credential Manager.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\seom-desktop"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif
#ifndef RepoDir
  #define RepoDir ".."
#endif

#define AppName "seom-desktop"
#define AppExe "seom-desktop-gui.exe"
#define CliExe "seom-desktop.exe"

[Setup]
AppId={{6B0E3E2C-7D4B-4F1E-9C55-2E7A4B9D0C31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per machine by default; the clerk may choose "only for me" (no administrator needed).
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog commandline
UsePreviousPrivileges=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile={#RepoDir}\resources\seom-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
; Close a running window or controller before replacing its files; do not restart it.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
SharedController=This workstation is the &shared stack controller (it sends every workstation's Web Stack records)
AutoStart=Start the headless Stack Controller when a user &logs on
ControllerGroup=Stack Controller:
ControllerName=Stack Controller (headless)
ControllerComment=Sends the Web Stack to the carts without the window (close the window to stop it)
KeptData=The program was removed. The store, the log files and the settings were kept in%n%1%nand cart credentials in the Windows Credential Manager. Delete them yourself only when you are sure you no longer need them.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "shared"; Description: "{cm:SharedController}"; GroupDescription: "{cm:ControllerGroup}"; Flags: unchecked
Name: "shared\autostart"; Description: "{cm:AutoStart}"; GroupDescription: "{cm:ControllerGroup}"; Flags: unchecked

[InstallDelete]
; The previous version's libraries: a one-folder bundle is replaced whole on upgrade.
; (Program files only: the store is not in {app}.)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "Keep QOH in step between the store and the carts"
Name: "{autoprograms}\{cm:ControllerName}"; Filename: "{app}\{#CliExe}"; Parameters: "controller"; WorkingDir: "{app}"; Comment: "{cm:ControllerComment}"; Tasks: not shared
Name: "{autoprograms}\{cm:ControllerName}"; Filename: "{app}\{#CliExe}"; Parameters: "controller --shared"; WorkingDir: "{app}"; Comment: "{cm:ControllerComment}"; Tasks: shared
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon
Name: "{autostartup}\{cm:ControllerName}"; Filename: "{app}\{#CliExe}"; Parameters: "controller --shared"; WorkingDir: "{app}"; Comment: "{cm:ControllerComment}"; Flags: runminimized; Tasks: shared\autostart

[Run]
Filename: "{app}\{#CliExe}"; Parameters: "controller --shared"; WorkingDir: "{app}"; Description: "Start the {cm:ControllerName} now"; Flags: nowait postinstall skipifsilent unchecked runminimized; Tasks: shared\autostart
Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] entry: the uninstaller removes only what [Files] and [Icons]
; installed. Never add the user data folder here.

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(FmtMessage(CustomMessage('KeptData'), [ExpandConstant('{localappdata}\{#AppName}')]),
           mbInformation, MB_OK);
end;
