//! `fetch` of http: URLs against a server this test starts on 127.0.0.1:
//! allowed with `--allow-net` (for that host and port), redirects checked
//! against it too, refused without it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A tiny HTTP/1.1 server answering a fixed set of paths, one request per
/// connection, until dropped.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            // Bounded: at most two minutes, whatever happens.
            let deadline = std::time::Instant::now() + Duration::from_secs(120);
            while !stopping.load(Ordering::Relaxed) && std::time::Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                        serve(stream, port);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, port: u16) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let length: usize = header("content-length").parse().unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let (status, extra, content): (&str, Vec<String>, Vec<u8>) = match path {
        "/hello" => (
            "200 OK",
            vec!["content-type: text/plain".into(), "x-test: 1".into()],
            b"hello over http".to_vec(),
        ),
        "/echo" => (
            "200 OK",
            vec![
                format!("x-received-type: {}", header("content-type")),
                format!("x-received-client: {}", header("x-client")),
            ],
            body,
        ),
        "/redirect-ok" => ("302 Found", vec!["location: /hello".into()], Vec::new()),
        "/redirect-out" => (
            "302 Found",
            vec![format!("location: http://127.0.0.2:{port}/hello")],
            Vec::new(),
        ),
        "/tone.wav" => ("200 OK", vec!["content-type: audio/wav".into()], tone_wav()),
        _ => ("404 Not Found", Vec::new(), Vec::new()),
    };
    let mut stream = reader.into_inner();
    let mut response = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        content.len()
    );
    for line in extra {
        response.push_str(&line);
        response.push_str("\r\n");
    }
    response.push_str("\r\n");
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.write_all(&content);
}

/// 100 frames of 16-bit mono at 8 kHz.
fn tone_wav() -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut cursor, spec).unwrap();
    for i in 0..100 {
        writer.write_sample((i * 100) as i16).unwrap();
    }
    writer.finalize().unwrap();
    cursor.into_inner()
}

fn run(flags: &[String], base: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/fetch_http.js");
    let output = Command::new(env!("CARGO_BIN_EXE_webaudio-run"))
        .args(flags)
        .arg(script)
        .arg(base)
        .env("NO_COLOR", "1")
        .env("NO_PROXY", "*")
        .output()
        .expect("run webaudio-run");
    assert!(
        output.status.success(),
        "exit {:?}\n{}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn http_fetch_needs_allow_net_for_each_host() {
    let server = Server::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    let allowed = run(&[format!("--allow-net=127.0.0.1:{}", server.port)], &base);
    let expected = format!(
        "GET 200|true|OK|1|false|hello over http\n\
         POST 200|application/json|webaudio-run|{{\"n\":1}}\n\
         404 404|false\n\
         redirect 200|true|true|hello over http\n\
         redirect elsewhere NotCapable Requires net access to \"127.0.0.2:{port}\", run again with the --allow-net flag\n\
         decode 100|8000|1\n",
        port = server.port
    );
    assert_eq!(allowed, expected);

    let denied = run(&[], &base);
    let refusal = format!(
        "NotCapable Requires net access to \"127.0.0.1:{}\", run again with the --allow-net flag",
        server.port
    );
    for line in denied.lines() {
        assert!(line.ends_with(&refusal), "{line}");
    }
    assert_eq!(denied.lines().count(), 6);
}
