//! The bundled demo (real OpenTelemetry SDK output of examples/flask-slow-view)
//! names the slow web-service call in its headline.

use traceglass::analysis::TraceAnalysis;
use traceglass::import::import_bytes;

#[test]
fn demo_headline_names_the_web_service_call() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/public/demo/flask-slow-view.otlp.json"
    );
    let bytes = std::fs::read(path).unwrap();
    let imp = import_bytes("flask-slow-view.otlp.json", &bytes).unwrap();
    assert_eq!(imp.traces.len(), 1);
    let t = &imp.traces[0];
    assert_eq!(t.spans.len(), 3);
    let a = TraceAnalysis::new(t);
    println!("{}", a.headline);
    assert!(
        a.headline.starts_with("GET /slow (flask-app) took 6."),
        "{}",
        a.headline
    );
    assert!(
        a.headline
            .contains("waiting on the call to weather-service (GET, 6."),
        "{}",
        a.headline
    );
    assert!(a.headline.contains("The sqlite query"), "{}", a.headline);
}
