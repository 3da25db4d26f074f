//! Twins around the core's ports that record what it asked and what came back, and twins
//! that play a recording back instantly.
//!
//! [`Recorder`] wraps D1's native twin and keeps every round trip (its statements, their
//! parameters and their rows) under a label, so that a scenario can be counted natively,
//! replayed through the local runtime's D1 for its row counters ([`crate::meter`]) and
//! replayed again with no database at all ([`ReplayDb`]): what is left to time is the
//! Worker's own work.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

use time_machine::ports::{
    Database, DatabaseError, HttpClient, HttpRequest, HttpResponse, Method, Row, Statement,
    TransportError,
};

/// One round trip to D1: a query (one statement) or a batch.
#[derive(Debug, Clone)]
pub struct RoundTrip {
    pub label: String,
    pub batch: bool,
    pub statements: Vec<Statement>,
    /// The rows of each statement; empty when the round trip failed.
    pub results: Vec<Vec<Row>>,
    pub failed: bool,
}

/// D1's twin, recording.
pub struct Recorder<'a, D> {
    inner: &'a D,
    label: RefCell<String>,
    log: RefCell<Vec<RoundTrip>>,
}

impl<'a, D: Database> Recorder<'a, D> {
    pub fn new(inner: &'a D) -> Self {
        Self {
            inner,
            label: RefCell::new("setup".to_owned()),
            log: RefCell::new(Vec::new()),
        }
    }

    /// The label the following round trips are filed under.
    pub fn label(&self, label: &str) {
        *self.label.borrow_mut() = label.to_owned();
    }

    pub fn round_trips(&self) -> Vec<RoundTrip> {
        self.log.borrow().clone()
    }

    /// Round trips and statements filed under `label`.
    pub fn counts(&self, label: &str) -> (usize, usize) {
        let log = self.log.borrow();
        let trips: Vec<&RoundTrip> = log.iter().filter(|trip| trip.label == label).collect();
        (
            trips.len(),
            trips.iter().map(|trip| trip.statements.len()).sum(),
        )
    }

    /// The round trips filed under `label`.
    pub fn trips(&self, label: &str) -> Vec<RoundTrip> {
        self.log
            .borrow()
            .iter()
            .filter(|trip| trip.label == label)
            .cloned()
            .collect()
    }

    fn push(&self, batch: bool, statements: Vec<Statement>, results: Option<Vec<Vec<Row>>>) {
        let failed = results.is_none();
        self.log.borrow_mut().push(RoundTrip {
            label: self.label.borrow().clone(),
            batch,
            statements,
            results: results.unwrap_or_default(),
            failed,
        });
    }
}

impl<D: Database> Database for Recorder<'_, D> {
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, DatabaseError> {
        let result = self.inner.query(statement.clone()).await;
        self.push(
            false,
            vec![statement],
            result.as_ref().ok().map(|rows| vec![rows.clone()]),
        );
        result
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Vec<Row>>, DatabaseError> {
        let result = self.inner.batch(statements.clone()).await;
        self.push(true, statements, result.as_ref().ok().cloned());
        result
    }
}

/// One HTTP exchange the core made.
pub type Exchange = (HttpRequest, Result<HttpResponse, TransportError>);

/// The HTTP client, recording.
pub struct HttpRecorder<'a, H> {
    inner: &'a H,
    log: RefCell<Vec<Exchange>>,
}

impl<'a, H: HttpClient> HttpRecorder<'a, H> {
    pub fn new(inner: &'a H) -> Self {
        Self {
            inner,
            log: RefCell::new(Vec::new()),
        }
    }

    pub fn len(&self) -> usize {
        self.log.borrow().len()
    }

    /// The exchanges from `from` on.
    pub fn since(&self, from: usize) -> Vec<Exchange> {
        self.log.borrow()[from..].to_vec()
    }
}

impl<H: HttpClient> HttpClient for HttpRecorder<'_, H> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let response = self.inner.send(request.clone()).await;
        self.log.borrow_mut().push((request, response.clone()));
        response
    }
}

/// The rows of each statement of a recorded round trip, or `None` where it failed.
type Answer = Option<Vec<Vec<Row>>>;

/// D1 answered from a recording, instantly: each round trip gets the rows recorded for
/// the same statements, in the recorded order.
pub struct ReplayDb {
    answers: RefCell<HashMap<Vec<&'static str>, VecDeque<Answer>>>,
    misses: RefCell<Vec<String>>,
}

impl ReplayDb {
    pub fn new(trips: &[RoundTrip]) -> Self {
        let mut answers: HashMap<Vec<&'static str>, VecDeque<Answer>> = HashMap::new();
        for trip in trips {
            let key = trip
                .statements
                .iter()
                .map(|statement| statement.sql)
                .collect();
            let answer = (!trip.failed).then(|| trip.results.clone());
            answers.entry(key).or_default().push_back(answer);
        }
        Self {
            answers: RefCell::new(answers),
            misses: RefCell::new(Vec::new()),
        }
    }

    fn answer(&self, key: Vec<&'static str>) -> Result<Vec<Vec<Row>>, DatabaseError> {
        let answer = self
            .answers
            .borrow_mut()
            .get_mut(&key)
            .and_then(VecDeque::pop_front);
        let what = key
            .first()
            .map_or("", |sql| sql.lines().next().unwrap_or(""));
        match answer {
            Some(Some(rows)) => Ok(rows),
            // It failed when recorded: it fails again.
            Some(None) => Err(DatabaseError {
                message: format!("replay: {what} failed when recorded"),
            }),
            None => {
                self.misses.borrow_mut().push(what.to_owned());
                Err(DatabaseError {
                    message: format!("replay: no recorded answer for {what}"),
                })
            }
        }
    }

    /// Whether the replay asked exactly what the recording holds.
    pub fn faithful(&self) -> Result<(), String> {
        let left: usize = self.answers.borrow().values().map(VecDeque::len).sum();
        let misses = self.misses.borrow();
        if misses.is_empty() && left == 0 {
            Ok(())
        } else {
            Err(format!(
                "the replay diverged from the recording: {} unanswered ({:?}), {left} answers unused",
                misses.len(),
                misses.iter().take(3).collect::<Vec<_>>()
            ))
        }
    }
}

impl Database for ReplayDb {
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, DatabaseError> {
        let mut results = self.answer(vec![statement.sql])?;
        Ok(results.pop().unwrap_or_default())
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Vec<Row>>, DatabaseError> {
        self.answer(statements.iter().map(|statement| statement.sql).collect())
    }
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Delete => "DELETE",
    }
}

/// Spotify answered from a recording, instantly, by method and URL.
pub struct ReplayHttp {
    answers: RefCell<HashMap<String, VecDeque<Result<HttpResponse, TransportError>>>>,
    misses: RefCell<usize>,
}

impl ReplayHttp {
    pub fn new(exchanges: &[Exchange]) -> Self {
        let mut answers: HashMap<String, VecDeque<_>> = HashMap::new();
        for (request, response) in exchanges {
            let key = format!("{} {}", method_name(request.method), request.url);
            answers.entry(key).or_default().push_back(response.clone());
        }
        Self {
            answers: RefCell::new(answers),
            misses: RefCell::new(0),
        }
    }

    pub fn faithful(&self) -> Result<(), String> {
        let left: usize = self.answers.borrow().values().map(VecDeque::len).sum();
        let misses = *self.misses.borrow();
        if misses == 0 && left == 0 {
            Ok(())
        } else {
            Err(format!(
                "the HTTP replay diverged: {misses} unanswered, {left} answers unused"
            ))
        }
    }
}

impl HttpClient for ReplayHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let key = format!("{} {}", method_name(request.method), request.url);
        let answer = self
            .answers
            .borrow_mut()
            .get_mut(&key)
            .and_then(VecDeque::pop_front);
        answer.unwrap_or_else(|| {
            *self.misses.borrow_mut() += 1;
            Err(TransportError::Failed(format!(
                "replay: nothing recorded for {key}"
            )))
        })
    }
}
