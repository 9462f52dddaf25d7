//! English and French texts of the interface. Every key a template uses must exist here in
//! both languages (a test reads the templates and checks).
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub fn code(&self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().get(..2).map(|p| p.to_ascii_lowercase()).as_deref() {
            Some("en") => Some(Lang::En),
            Some("fr") => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The first of the browser's preferred languages that Kinga speaks.
    pub fn negotiate(accept_language: &str) -> Lang {
        accept_language
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or(Lang::En)
    }
}

/// The translator handed to templates: `{{ t.get("nav.incidents") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get(&self, key: &str) -> &'static str {
        match TEXTS.get(key) {
            Some((en, fr)) => match self.0 {
                Lang::En => en,
                Lang::Fr => fr,
            },
            None => {
                tracing::warn!("missing interface text '{key}'");
                "??"
            }
        }
    }

    pub fn lang(&self) -> &'static str {
        self.0.code()
    }

    /// The other language, offered by the switch in the header.
    pub fn other(&self) -> &'static str {
        match self.0 {
            Lang::En => "fr",
            Lang::Fr => "en",
        }
    }

    pub fn other_name(&self) -> &'static str {
        match self.0 {
            Lang::En => "Français",
            Lang::Fr => "English",
        }
    }

    /// A vocabulary word (status, role, crime …) under `prefix.word`, or the word itself.
    pub fn word(&self, prefix: &str, word: &str) -> String {
        match TEXTS.get(format!("{prefix}.{word}").as_str()) {
            Some((en, fr)) => match self.0 {
                Lang::En => en.to_string(),
                Lang::Fr => fr.to_string(),
            },
            None => word.replace('_', " "),
        }
    }
}

pub static TEXTS: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| ENTRIES.iter().map(|(k, en, fr)| (*k, (*en, *fr))).collect());

pub const ENTRIES: &[(&str, &str, &str)] = &[
    ("app.tagline", "Documentation and early warning for atrocity prevention", "Documentation et alerte précoce pour la prévention des atrocités"),
    ("nav.incidents", "Incidents", "Incidents"),
    ("nav.new_report", "New report", "Nouveau rapport"),
    ("nav.triage", "Triage queue", "File de tri"),
    ("nav.my_reports", "My reports", "Mes rapports"),
    ("nav.admin", "Administration", "Administration"),
    ("nav.logout", "Sign out", "Se déconnecter"),
    ("nav.signed_in_as", "Signed in as", "Connecté en tant que"),
    ("login.title", "Sign in", "Connexion"),
    ("login.email", "E-mail", "Courriel"),
    ("login.password", "Password", "Mot de passe"),
    ("login.submit", "Sign in", "Se connecter"),
    ("login.failed", "Unknown e-mail or wrong password.", "Courriel inconnu ou mot de passe erroné."),
    ("login.too_many", "Too many failed attempts. Try again later.", "Trop de tentatives échouées. Réessayez plus tard."),
    ("login.expired", "The form expired. Please try again.", "Le formulaire a expiré. Veuillez réessayer."),
    ("totp.title", "Second factor", "Second facteur"),
    ("totp.prompt", "Enter the 6-digit code from your authenticator app.", "Saisissez le code à 6 chiffres de votre application d'authentification."),
    ("totp.code", "Code", "Code"),
    ("totp.submit", "Continue", "Continuer"),
    ("totp.failed", "That code is wrong or expired.", "Ce code est erroné ou expiré."),
    ("enrol.title", "Set up your second factor", "Configurez votre second facteur"),
    ("enrol.explain", "Administrators must use a second factor. Add this key to an authenticator app (or scan the otpauth link), then enter the code it shows.", "Les administrateurs doivent utiliser un second facteur. Ajoutez cette clé à une application d'authentification (ou ouvrez le lien otpauth), puis saisissez le code affiché."),
    ("enrol.secret", "Secret key", "Clé secrète"),
    ("common.save", "Save", "Enregistrer"),
    ("common.cancel", "Cancel", "Annuler"),
    ("common.filter", "Filter", "Filtrer"),
    ("common.none", "None", "Aucun"),
    ("common.previous", "Previous", "Précédent"),
    ("common.next", "Next", "Suivant"),
    ("common.of", "of", "sur"),
    ("common.error", "Please correct the fields marked below.", "Veuillez corriger les champs indiqués ci-dessous."),
    ("common.forbidden", "Your role does not allow this.", "Votre rôle ne le permet pas."),
    ("common.not_found", "Not found, or not visible to you.", "Introuvable, ou non visible pour vous."),
    ("common.visibility", "Visibility", "Visibilité"),
    ("common.country", "Country", "Pays"),
    ("common.organisation", "Organisation", "Organisation"),
    ("visibility.public", "Public", "Public"),
    ("visibility.network", "Network", "Réseau"),
    ("visibility.organisation", "Organisation", "Organisation"),
    ("visibility.restricted", "Restricted", "Restreint"),
    ("visibility.sealed", "Sealed", "Scellé"),
    ("role.monitor", "Monitor", "Observateur de terrain"),
    ("role.analyst", "Analyst", "Analyste"),
    ("role.coordinator", "Coordinator", "Coordinateur"),
    ("role.legal", "Legal officer", "Juriste"),
    ("role.admin", "Administrator", "Administrateur"),
    ("role.observer", "Observer", "Lecteur"),
    ("crime.genocide", "Genocide", "Génocide"),
    ("crime.crimes_against_humanity", "Crimes against humanity", "Crimes contre l'humanité"),
    ("crime.war_crimes", "War crimes", "Crimes de guerre"),
    ("crime.ethnic_cleansing", "Ethnic cleansing", "Nettoyage ethnique"),
    ("status.draft", "Draft", "Brouillon"),
    ("status.in_verification", "In verification", "En vérification"),
    ("status.verified", "Verified", "Vérifié"),
    ("status.disputed", "Disputed", "Contesté"),
    ("status.unverifiable", "Unverifiable", "Invérifiable"),
    ("status.closed", "Closed", "Clos"),
    ("triage.new", "New", "Nouveau"),
    ("triage.triaged", "Triaged", "Trié"),
    ("triage.linked", "Linked", "Rattaché"),
    ("triage.rejected", "Rejected", "Rejeté"),
    ("triage.spam", "Spam", "Indésirable"),
];
