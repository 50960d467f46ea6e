//! How a client is reached: their own phone and the people to call for them (a daughter, a
//! neighbour). Phone numbers are personal data: [`Phone`]'s `Debug` hides all but the last
//! two digits, so a number written into a log line by `{:?}` is not a number any more, and the
//! reasons for refusing one never repeat it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The most contacts a client may have.
pub const MAX_CONTACTS: usize = 10;
/// The longest contact name and relation, in characters.
pub const MAX_CONTACT_NAME: usize = 100;
pub const MAX_RELATION: usize = 50;

/// A telephone number as people write it: digits, optionally a leading `+`, with spaces,
/// dashes or brackets between groups (`+86 139 0000 1234`, `0631-7561234`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Phone(String);

/// Digits a number has at least and at most (an extension, a full international number).
const DIGITS: std::ops::RangeInclusive<usize> = 3..=20;

impl Phone {
    /// Why `text` is not a phone number, in words that do not repeat it.
    pub fn check(text: &str) -> Result<(), String> {
        let body = text.strip_prefix('+').unwrap_or(text);
        let digits = body.chars().filter(char::is_ascii_digit).count();
        let fine = body.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'));
        if !fine || !DIGITS.contains(&digits) {
            return Err(format!(
                "must be {} to {} digits, optionally after a +, with spaces, dashes or brackets \
                 between them",
                DIGITS.start(),
                DIGITS.end()
            ));
        }
        Ok(())
    }

    pub fn parse(text: &str) -> Result<Phone, String> {
        Phone::check(text.trim())?;
        Ok(Phone(text.trim().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What a `tel:` link dials: the digits and a leading `+`, nothing else.
    pub fn dial(&self) -> String {
        let plus = if self.0.starts_with('+') { "+" } else { "" };
        let digits: String = self.0.chars().filter(char::is_ascii_digit).collect();
        format!("{plus}{digits}")
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits: Vec<char> = self.0.chars().filter(char::is_ascii_digit).collect();
        let tail: String = digits[digits.len().saturating_sub(2)..].iter().collect();
        write!(f, "Phone(…{tail})")
    }
}

/// Someone to call for the client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    /// Who they are to the client: 女儿, 邻居, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    pub phone: Phone,
}

/// The first fault of a client's phone and contacts: the field under the client (`phone`,
/// `contacts[1].name`) and why.
pub fn check(phone: Option<&Phone>, contacts: &[Contact]) -> Result<(), (String, String)> {
    if let Some(p) = phone {
        Phone::check(p.as_str()).map_err(|why| ("phone".to_string(), why))?;
    }
    if contacts.len() > MAX_CONTACTS {
        return Err(("contacts".into(), format!("at most {MAX_CONTACTS} contacts")));
    }
    for (i, c) in contacts.iter().enumerate() {
        let name = c.name.trim().chars().count();
        if name == 0 || name > MAX_CONTACT_NAME {
            let why = format!("must be 1 to {MAX_CONTACT_NAME} characters");
            return Err((format!("contacts[{i}].name"), why));
        }
        if c.relation.as_ref().is_some_and(|r| r.chars().count() > MAX_RELATION) {
            let why = format!("must be at most {MAX_RELATION} characters");
            return Err((format!("contacts[{i}].relation"), why));
        }
        Phone::check(c.phone.as_str()).map_err(|why| (format!("contacts[{i}].phone"), why))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_as_people_write_them() {
        for fine in ["13900001234", "+86 139 0000 1234", "0631-7561234", "(0631) 756 1234", "120"] {
            assert!(Phone::parse(fine).is_ok(), "{fine}");
        }
        for bad in ["", "12", "call me", "139O0001234", "++8613900001234", "1".repeat(21).as_str()]
        {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        let p = Phone::parse(" +86 139-0000-1234 ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.as_str(), "+86 139-0000-1234");
        assert_eq!(p.dial(), "+8613900001234");
    }

    #[test]
    fn contacts_name_the_field_at_fault() {
        let phone = Phone::parse("13900001234").unwrap_or_else(|e| panic!("{e}"));
        let ok = Contact { name: "张伟".into(), relation: Some("儿子".into()), phone };
        assert_eq!(check(None, std::slice::from_ref(&ok)), Ok(()));
        let nameless = Contact { name: " ".into(), ..ok.clone() };
        let err = check(None, &[ok.clone(), nameless]).err().map(|e| e.0);
        assert_eq!(err.as_deref(), Some("contacts[1].name"));
        let bad_phone: Contact = serde_json::from_str(r#"{"name": "李娜", "phone": "soon"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        let err = check(None, &[bad_phone]).err().map(|e| e.0);
        assert_eq!(err.as_deref(), Some("contacts[0].phone"));
        let many = vec![ok; MAX_CONTACTS + 1];
        assert_eq!(check(None, &many).err().map(|e| e.0).as_deref(), Some("contacts"));
    }

    proptest! {
        /// Neither a refusal nor `{:?}` ever repeats the number.
        #[test]
        fn numbers_do_not_leak(digits in "[0-9]{3,20}", junk in "[a-z]{0,3}") {
            let text = format!("{digits}{junk}");
            if let Err(why) = Phone::check(&text) {
                prop_assert!(!why.contains(&digits));
            }
            let phone = Phone(text.clone());
            let shown = format!("{phone:?} {:?}", Contact { name: "x".into(), relation: None, phone: phone.clone() });
            prop_assert!(!shown.contains(&digits), "{shown}");
        }
    }
}
