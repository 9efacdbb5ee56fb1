/**
 * Windows: two Task Scheduler tasks that start at log-on, the daemon's restarted when it
 * fails. Their XML is kept under %LOCALAPPDATA%\sochat\service and registered with schtasks.
 * Pure: builds the plan.
 */
import { win32 } from 'node:path'
import type { ServiceTarget } from './options.js'
import { escapeXml, type CommandGroup, type Launch, type PlannedFile, type ServicePlan } from './plan.js'

export const DAEMON_TASK = 'SO-CHAT daemon'
export const TRAY_TASK = 'SO-CHAT tray'

export function taskDir(target: ServiceTarget): string {
  const local =
    target.env.LOCALAPPDATA && win32.isAbsolute(target.env.LOCALAPPDATA)
      ? target.env.LOCALAPPDATA
      : win32.join(target.home, 'AppData', 'Local')
  return win32.join(local, 'sochat', 'service')
}

export function windowsPlan(target: ServiceTarget): Omit<ServicePlan, 'daemonEntry' | 'trayEntry'> {
  const dir = taskDir(target)
  const tasks = [
    { name: DAEMON_TASK, file: renderTask(target, win32.join(dir, 'daemon.xml'), target.daemon, 'The SO-CHAT LAN chat daemon') },
    { name: TRAY_TASK, file: renderTask(target, win32.join(dir, 'tray.xml'), target.tray, 'The SO-CHAT tray icon') },
  ]
  const start = tasks.map(
    ({ name, file }): CommandGroup => ({
      commands: [
        // Ending the running copy first makes a re-install run the new one; none running is fine.
        { argv: ['schtasks', '/End', '/TN', name], mayFail: true },
        { argv: ['schtasks', '/Create', '/TN', name, '/XML', file.path, '/F'] },
        { argv: ['schtasks', '/Run', '/TN', name] },
      ],
      failed: `Wrote ${file.path}, but schtasks could not register and start the task "${name}"`,
      manual: `register it with: schtasks /Create /TN "${name}" /XML "${file.path}" /F`,
    }),
  )
  const stop = tasks.map(
    ({ name }): CommandGroup => ({
      commands: [{ argv: ['schtasks', '/End', '/TN', name], mayFail: true }, { argv: ['schtasks', '/Delete', '/TN', name, '/F'] }],
      failed: `Could not delete the task "${name}" with schtasks`,
      manual: `if it is still listed (schtasks /Query /TN "${name}"), delete it with: schtasks /Delete /TN "${name}" /F`,
    }),
  )
  return {
    platform: 'win32',
    scope: 'user',
    kind: 'Task Scheduler log-on tasks',
    base: target.home,
    dirs: [],
    files: tasks.map((t) => t.file),
    links: [],
    start: target.noStart ? [] : start,
    stop: target.noStart ? [] : stop,
    cleanup: [],
    notes: target.noStart ? start.map((g) => `Not registered (--no-start): ${g.manual}`) : [],
  }
}

export function renderTask(target: ServiceTarget, path: string, launch: Launch, description: string): PlannedFile {
  const user = `<UserId>${escapeXml(target.user)}</UserId>`
  const lines = [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<!-- SO-CHAT. Written by `sochat install-service`; `sochat uninstall-service` removes it. -->',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    `  <RegistrationInfo><Description>${escapeXml(description)}</Description></RegistrationInfo>`,
    `  <Triggers><LogonTrigger><Enabled>true</Enabled>${user}</LogonTrigger></Triggers>`,
    `  <Principals><Principal id="Author">${user}<LogonType>InteractiveToken</LogonType><RunLevel>LeastPrivilege</RunLevel></Principal></Principals>`,
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    // A laptop on battery still chats.
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    // PT0S: no time limit (the default stops a task after three days).
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    // One minute is the shortest interval Task Scheduler accepts; 999 the most attempts.
    '    <RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '  </Settings>',
    '  <Actions Context="Author">',
    `    <Exec><Command>${escapeXml(launch.program)}</Command><Arguments>${escapeXml(commandLine(launch.args))}</Arguments></Exec>`,
    '  </Actions>',
    '</Task>',
  ]
  return { path, contents: `${lines.join('\r\n')}\r\n`, mode: 0o644, encoding: 'utf16le-bom' }
}

/**
 * Arguments joined the way the C runtime splits them again (CommandLineToArgvW): quotes
 * around each, `"` as `\"`, and backslashes doubled only where they precede a quote.
 */
export function commandLine(args: string[]): string {
  return args
    .map((arg) => {
      if (arg !== '' && !/[\s"]/.test(arg)) return arg
      return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`
    })
    .join(' ')
}
