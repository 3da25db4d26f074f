//! The HTML of the accounts service: the consent dialog and its error page (the sinks'
//! page lives with them, in `sinks.rs`, and escapes with [`escape`]).
//!
//! Element ids (`user`, `approve`, `deny`) are part of the contract: browser tests click
//! them.

use crate::params::Params;
use crate::users::UserProfile;

/// The consent dialog: pick a simulated user, then approve or deny. The form re-posts every
/// original `/authorize` parameter so the decision can be checked like the request was.
pub fn consent(params: &Params, users: &[&UserProfile]) -> String {
    let hidden: String = params
        .iter()
        .filter(|(name, value)| !value.is_empty() && !matches!(*name, "user" | "decision"))
        .map(|(name, value)| {
            format!(
                "      <input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let options: String = users
        .iter()
        .enumerate()
        .map(|(index, user)| {
            format!(
                "        <option value=\"{}\"{}>{} ({})</option>\n",
                escape(&user.id),
                if index == 0 { " selected" } else { "" },
                escape(&user.display_name),
                escape(&user.id)
            )
        })
        .collect();
    let scopes = params.get("scope").unwrap_or("(none)");
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Spotify simulator: authorize</title>
  </head>
  <body>
    <h1>Authorize access</h1>
    <p>An app wants to access a simulated Spotify account.</p>
    <p>Scopes: <code>{scopes}</code></p>
    <form method="post" action="/authorize/decision">
{hidden}      <label for="user">Log in as</label>
      <select name="user" id="user">
{options}      </select>
      <button type="submit" name="decision" value="approve" id="approve">Approve</button>
      <button type="submit" name="decision" value="deny" id="deny">Deny</button>
    </form>
  </body>
</html>
"#,
        scopes = escape(scopes),
    )
}

/// The page shown instead of the dialog when the request is unacceptable.
pub fn error(message: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Spotify simulator: error</title>
  </head>
  <body>
    <h1>Oops! Something went wrong</h1>
    <p id="error">{}</p>
  </body>
</html>
"#,
        escape(message)
    )
}

/// Escapes text for HTML content and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::default_users;

    #[test]
    fn the_dialog_carries_the_request_and_lists_users_first_selected() {
        let users = default_users(2, 1, 1.0, 0);
        let users: Vec<&UserProfile> = users.iter().collect();
        let params = Params::parse(b"client_id=app&state=%22%3E%3Cscript%3E&scope=");
        let page = consent(&params, &users);
        assert!(page.contains(r#"<input type="hidden" name="client_id" value="app">"#));
        assert!(
            page.contains(r#"value="&quot;&gt;&lt;script&gt;""#),
            "state is escaped"
        );
        assert!(
            !page.contains(r#"name="scope""#),
            "empty parameters are dropped"
        );
        assert!(page.contains(r#"<option value="sim-user-1" selected>"#));
        assert!(page.contains(r#"<option value="sim-user-2">"#));
        assert!(page.contains(r#"id="approve""#) && page.contains(r#"id="deny""#));
    }
}
