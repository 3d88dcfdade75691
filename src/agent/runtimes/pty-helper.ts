// A TTY for exec in the process runtime, through python3's pty module.
//
// Why python3 and not an npm pty: node-pty and its forks are native addons, built with node-gyp
// (which downloads Node headers from nodejs.org) or shipped as prebuilt binaries, and must match each
// Node ABI (20 and 24 here). util-linux `script` gives a pty but no way to resize it from a pipe.
// python3's pty and fcntl modules are in every python3, need no build, and allow TIOCSWINSZ.
// The helper relays stdin → pty, pty → stdout, applies "W H\n" lines read from fd 3 as window sizes,
// and exits with the command's exit code (128+signal when killed).
export const PTY_HELPER = String.raw`
import os, pty, sys, select, struct, fcntl, termios
argv = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        os.write(2, ('exec: "%s": %s\r\n' % (argv[0], e.strerror)).encode())
        os._exit(127 if e.errno == 2 else 126)
def put(dst, data):
    while data:
        n = os.write(dst, data)
        data = data[n:]
inputs = [0, 3, fd]
ctl = b''
while True:
    try:
        ready, _, _ = select.select(inputs, [], [])
    except InterruptedError:
        continue
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            break
        put(1, data)
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            put(fd, data)
        else:
            inputs.remove(0)
    if 3 in ready:
        data = os.read(3, 4096)
        if not data:
            inputs.remove(3)
        ctl += data
        while b'\n' in ctl:
            line, ctl = ctl.split(b'\n', 1)
            try:
                w, h = [int(x) for x in line.split()]
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', h, w, 0, 0))
            except (ValueError, OSError):
                pass
_, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status):
    sys.exit(128 + os.WTERMSIG(status))
sys.exit(os.WEXITSTATUS(status))
`;
