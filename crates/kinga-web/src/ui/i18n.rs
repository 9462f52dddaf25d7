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
    ("workflow.assignee", "Assigned to", "Attribué à"),
    ("workflow.assign", "Assign", "Attribuer"),
    ("incident.assigned", "Assignment saved.", "Attribution enregistrée."),
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
    ("nav.countries", "Country risk", "Risque par pays"),
    ("assessment.all", "All assessments of this country", "Toutes les évaluations de ce pays"),
    ("assessment.assessed", "Indicators assessed", "Indicateurs évalués"),
    ("assessment.assessed_on", "Assessed as of", "Évalué au"),
    ("assessment.author", "Opened by", "Ouverte par"),
    ("assessment.band", "Overall level", "Niveau global"),
    ("assessment.common_present", "Common factors present", "Facteurs communs présents"),
    ("assessment.compare_previous", "Compare with the previous version", "Comparer avec la version précédente"),
    ("assessment.confidence", "Confidence", "Confiance"),
    ("assessment.create", "Open the assessment", "Ouvrir l'évaluation"),
    ("assessment.created_notice", "Assessment opened.", "Évaluation ouverte."),
    ("assessment.diff_after", "After", "Après"),
    ("assessment.diff_before", "Before", "Avant"),
    ("assessment.diff_factors", "Risk factors whose level changed", "Facteurs de risque dont le niveau a changé"),
    ("assessment.diff_indicators", "Indicators that changed", "Indicateurs modifiés"),
    ("assessment.diff_none", "No change.", "Aucun changement."),
    ("assessment.diff_title", "Differences between two assessments", "Différences entre deux évaluations"),
    ("assessment.done", "Done: view the assessment", "Terminé : voir l'évaluation"),
    ("assessment.edit", "Score the indicators", "Noter les indicateurs"),
    ("assessment.edit_help", "Each indicator saves as soon as you change it: Tab moves to the next row, the arrow keys choose a score. Every save is kept as a new version.", "Chaque indicateur est enregistré dès que vous le modifiez : Tab passe à la ligne suivante, les flèches choisissent la note. Chaque enregistrement est conservé comme nouvelle version."),
    ("assessment.evidence_kind", "Kind of evidence", "Type de preuve"),
    ("assessment.evidence_target", "Record id or document URL", "Identifiant de l'enregistrement ou URL du document"),
    ("assessment.indicator", "Indicator", "Indicateur"),
    ("assessment.latest", "Latest Framework assessment", "Dernière évaluation selon le Cadre"),
    ("assessment.level", "Level (highest score)", "Niveau (note la plus haute)"),
    ("assessment.link_submit", "Link the evidence", "Lier la preuve"),
    ("assessment.link_title", "Evidence behind an indicator", "Preuves à l'appui d'un indicateur"),
    ("assessment.new", "New Framework assessment", "Nouvelle évaluation selon le Cadre"),
    ("assessment.no_scores", "No indicator scored yet.", "Aucun indicateur noté pour l'instant."),
    ("assessment.no_signoffs", "Not signed off yet.", "Pas encore validée."),
    ("assessment.none", "No assessment of this country that you may see.", "Aucune évaluation de ce pays visible pour vous."),
    ("assessment.note", "Note", "Note"),
    ("assessment.note_changed", "note changed", "note modifiée"),
    ("assessment.rule_text", "A factor's level is the highest score among its assessed indicators; not assessed counts as unknown, never as absent. Overall: high when 5 or more of the 8 common factors are at 2 or above or a specific factor is at 3; elevated when 3 or more common factors are at 2 or above or a specific factor is at 2; insufficient when fewer than 4 common factors are assessed; otherwise low.", "Le niveau d'un facteur est la note la plus haute de ses indicateurs évalués ; « non évalué » compte comme inconnu, jamais comme absent. Global : élevé si au moins 5 des 8 facteurs communs sont à 2 ou plus ou si un facteur spécifique est à 3 ; accru si au moins 3 facteurs communs sont à 2 ou plus ou si un facteur spécifique est à 2 ; insuffisant si moins de 4 facteurs communs sont évalués ; sinon faible."),
    ("assessment.saved", "Saved (version {version})", "Enregistré (version {version})"),
    ("assessment.scale_help", "Scale: 0 absent, 1 weakly present, 2 present, 3 strongly present, or not assessed.", "Échelle : 0 absent, 1 faiblement présent, 2 présent, 3 fortement présent, ou non évalué."),
    ("assessment.score", "Score", "Note"),
    ("assessment.scores", "Indicator scores", "Notes des indicateurs"),
    ("assessment.shown_version", "Version shown", "Version affichée"),
    ("assessment.signed", "signed off", "validée"),
    ("assessment.signed_notice", "Version signed off.", "Version validée."),
    ("assessment.signoff_submit", "Sign off version", "Valider la version"),
    ("assessment.signoffs", "Sign-off by a second analyst", "Validation par un second analyste"),
    ("assessment.situation", "Situation", "Situation"),
    ("assessment.situation_help", "optional: a region or crisis within the country", "facultatif : une région ou une crise dans le pays"),
    ("assessment.specific_max", "Highest specific factor", "Facteur spécifique le plus haut"),
    ("assessment.summary", "Summary", "Résumé"),
    ("assessment.summary_title", "Summary by the documented rule", "Synthèse selon la règle documentée"),
    ("assessment.title", "Framework assessment", "Évaluation selon le Cadre"),
    ("assessment.top_factors", "Key risk factors", "Principaux facteurs de risque"),
    ("assessment.unlink", "Withdraw link", "Retirer le lien"),
    ("assessment.unsigned", "not signed off", "non validée"),
    ("assessment.version", "Version", "Version"),
    ("risk.by", "By", "Par"),
    ("risk.when", "When", "Quand"),
    ("risk.factor", "Risk factor", "Facteur de risque"),
    ("risk.class.by_override", "analyst override", "décision d'un analyste"),
    ("risk.class.computed", "By the rule", "Selon la règle"),
    ("risk.class.decision", "Decision", "Décision"),
    ("risk.class.history", "History", "Historique"),
    ("risk.class.no_history", "No class recorded yet.", "Aucune classe enregistrée pour l'instant."),
    ("risk.class.no_override", "There is no override to withdraw.", "Il n'y a pas de décision à retirer."),
    ("risk.class.overridden", "Override recorded.", "Décision enregistrée."),
    ("risk.class.override", "Override the class", "Remplacer la classe"),
    ("risk.class.override_submit", "Record the override", "Enregistrer la décision"),
    ("risk.class.rationale", "Rationale", "Justification"),
    ("risk.class.rationale_needed", "An override needs a class and a rationale of at least 10 characters.", "Une décision demande une classe et une justification d'au moins 10 caractères."),
    ("risk.class.refresh", "Recompute by the rule", "Recalculer selon la règle"),
    ("risk.class.refreshed", "Class recomputed.", "Classe recalculée."),
    ("risk.class.rule_link", "How the class is computed", "Comment la classe est calculée"),
    ("risk.class.rule_text", "From the newest assessment (if dated within a year): a high level with a specific factor at 3 is a current crisis, high is an imminent risk, elevated a serious concern; an assessment not signed off by a second analyst counts as a serious concern at most. A forecast in the top 30 or at 4 % or more is a serious concern. When both say serious concern, the class is imminent risk. Recent escalation signals raise the class one step, never to current crisis. An analyst's override stands until withdrawn.", "D'après l'évaluation la plus récente (datée de moins d'un an) : un niveau élevé avec un facteur spécifique à 3 est une crise en cours, élevé un risque imminent, accru une préoccupation sérieuse ; une évaluation non validée par un second analyste compte au plus comme préoccupation sérieuse. Une prévision dans les 30 premiers ou à 4 % ou plus est une préoccupation sérieuse. Quand les deux disent préoccupation sérieuse, la classe est risque imminent. Des signaux d'escalade récents relèvent la classe d'un cran, jamais jusqu'à crise en cours. La décision d'un analyste vaut jusqu'à son retrait."),
    ("risk.class.rule_title", "The class rule", "La règle de classement"),
    ("risk.class.title", "Risk class", "Classe de risque"),
    ("risk.class.unset", "Not classified yet", "Pas encore classé"),
    ("risk.class.withdraw", "Withdraw the override", "Retirer la décision"),
    ("risk.class.withdrawn", "Override withdrawn.", "Décision retirée."),
    ("risk.countries.none", "No country has a forecast, an assessment or a class that you may see.", "Aucun pays n'a de prévision, d'évaluation ou de classe visible pour vous."),
    ("risk.countries.open", "Open", "Ouvrir"),
    ("risk.countries.title", "Atrocity risk by country", "Risque d'atrocités par pays"),
    ("risk.forecast.contribution", "Contribution (log-odds)", "Contribution (log-cote)"),
    ("risk.forecast.explanation", "Why: the largest contributions", "Pourquoi : les plus fortes contributions"),
    ("risk.forecast.explanation_help", "Each predictor's coefficient times its standardised value; positive values raise the risk.", "Coefficient de chaque prédicteur multiplié par sa valeur standardisée ; les valeurs positives augmentent le risque."),
    ("risk.forecast.none", "No statistical forecast stored for this country.", "Aucune prévision statistique enregistrée pour ce pays."),
    ("risk.forecast.predictor", "Predictor", "Prédicteur"),
    ("risk.forecast.rank", "rank", "rang"),
    ("risk.forecast.title", "Statistical forecast (onset of mass killing)", "Prévision statistique (début de tueries de masse)"),
    ("risk.forecast.year", "Forecast from", "Prévision à partir de"),
    ("risk.framework.incomplete", "Kinga's copy of the Framework of Analysis is incomplete: 110 of about 143 indicators. Some indicators of factors 11 to 14 are missing and cannot be scored.", "La copie du Cadre d'analyse dans Kinga est incomplète : 110 indicateurs sur environ 143. Des indicateurs des facteurs 11 à 14 manquent et ne peuvent pas être notés."),
    ("risk.framework.unverified", "label not yet checked", "libellé non vérifié"),
    ("risk.framework.unverified_help", "Check this indicator against the UN document before relying on the label.", "Vérifiez cet indicateur dans le document de l'ONU avant de vous fier au libellé."),
    ("risk.signals.title", "Escalation signals", "Signaux d'escalade"),
    ("risk.signals.help", "Signals of the last 90 days: periods when a detector found more violence than the region's baseline predicts. Any of them raises the computed class one step.", "Signaux des 90 derniers jours : périodes où un détecteur a trouvé plus de violence que ne le prévoit la référence de la région. Chacun relève la classe calculée d'un cran."),
    ("risk.signals.none", "No escalation signal in the last 90 days among the data you may see.", "Aucun signal d'escalade au cours des 90 derniers jours parmi les données visibles pour vous."),
    ("risk.signals.recent", "Signals in the last 90 days", "Signaux des 90 derniers jours"),
    ("risk.signals.period", "Period", "Période"),
    ("risk.signals.region", "Region", "Région"),
    ("risk.signals.measure", "Measure", "Mesure"),
    ("risk.signals.method", "Method", "Méthode"),
    ("risk.signals.observed", "Observed", "Observé"),
    ("risk.signals.expected", "Expected", "Attendu"),
    ("risk.signals.all", "All signals of this country", "Tous les signaux de ce pays"),
    ("risk_class.none", "No current concern", "Pas de préoccupation actuelle"),
    ("risk_class.serious_concern", "Serious concern", "Préoccupation sérieuse"),
    ("risk_class.imminent_risk", "Imminent risk", "Risque imminent"),
    ("risk_class.current_crisis", "Current crisis", "Crise en cours"),
    ("risk_score.0", "0 absent", "0 absent"),
    ("risk_score.1", "1 weak", "1 faible"),
    ("risk_score.2", "2 present", "2 présent"),
    ("risk_score.3", "3 strong", "3 fort"),
    ("risk_score.not_assessed", "not assessed", "non évalué"),
    ("risk_band.insufficient", "insufficient (too few factors assessed)", "insuffisant (trop peu de facteurs évalués)"),
    ("risk_band.low", "low", "faible"),
    ("risk_band.elevated", "elevated", "accru"),
    ("risk_band.high", "high", "élevé"),
    ("class_reason.assessment.stale", "The newest assessment is more than a year old and was not counted.", "L'évaluation la plus récente date de plus d'un an et n'a pas été prise en compte."),
    ("class_reason.assessment.specific_strong", "Assessment: high, with a specific factor strongly present.", "Évaluation : élevée, avec un facteur spécifique fortement présent."),
    ("class_reason.assessment.high", "Assessment: high.", "Évaluation : élevée."),
    ("class_reason.assessment.elevated", "Assessment: elevated.", "Évaluation : accrue."),
    ("class_reason.assessment.unsigned_capped", "The assessment is not signed off, so it counts as a serious concern at most.", "L'évaluation n'est pas validée : elle compte au plus comme préoccupation sérieuse."),
    ("class_reason.forecast.rank", "Forecast: among the 30 highest risks of its year.", "Prévision : parmi les 30 risques les plus élevés de l'année."),
    ("class_reason.forecast.probability", "Forecast: probability of 4 % or more.", "Prévision : probabilité de 4 % ou plus."),
    ("class_reason.agreement", "The forecast and the assessment agree.", "La prévision et l'évaluation concordent."),
    ("class_reason.signals.recent", "Recent escalation signals.", "Signaux d'escalade récents."),
    ("class_reason.no_evidence", "Nothing raises a concern among the inputs you may see.", "Rien ne suscite de préoccupation parmi les éléments visibles pour vous."),
    ("class_decision.rule", "computed by the rule", "calculée par la règle"),
    ("class_decision.override", "override", "décision d'un analyste"),
    ("class_decision.withdraw", "override withdrawn", "décision retirée"),
    ("confidence.low", "low", "faible"),
    ("confidence.medium", "medium", "moyenne"),
    ("confidence.high", "high", "haute"),
    ("evidence_kind.incident", "Incident", "Incident"),
    ("evidence_kind.event", "Dataset event", "Événement d'un jeu de données"),
    ("evidence_kind.signal", "Escalation signal", "Signal d'escalade"),
    ("evidence_kind.source", "Source", "Source"),
    ("evidence_kind.report", "Report", "Rapport"),
    ("evidence_kind.document", "Document (URL)", "Document (URL)"),
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
    // Shared words of the report, incident and administration pages.
    ("common.all", "All", "Tous"),
    ("common.choose", "Choose…", "Choisir…"),
    ("common.not_given", "Not given", "Non renseigné"),
    ("common.open", "Open", "Ouvrir"),
    ("common.yes", "Yes", "Oui"),
    ("common.no", "No", "Non"),
    ("common.description", "Description", "Description"),
    ("common.admin1", "Region (admin 1)", "Région (niveau admin. 1)"),
    ("common.place_name", "Place", "Lieu"),
    ("common.latitude", "Latitude", "Latitude"),
    ("common.longitude", "Longitude", "Longitude"),
    ("common.coordinates", "Coordinates", "Coordonnées"),
    ("common.not_found_title", "Not found", "Introuvable"),
    ("common.forbidden_title", "Not allowed", "Non autorisé"),
    ("error.title", "Something went wrong", "Une erreur s'est produite"),
    ("error.rule", "The change was refused:", "La modification a été refusée :"),
    ("error.conflict", "This conflicts with an existing record:", "Ceci entre en conflit avec un enregistrement existant :"),
    ("error.internal", "The request could not be completed; nothing was saved. Please try again.", "La demande n'a pas pu aboutir ; rien n'a été enregistré. Veuillez réessayer."),
    ("field.required", "is required", "est obligatoire"),
    ("field.empty", "must not be empty", "ne doit pas être vide"),
    ("field.future", "is in the future", "est dans le futur"),
    ("field.coordinates", "give both latitude and longitude, or neither", "indiquez à la fois la latitude et la longitude, ou aucune des deux"),
    ("field.whole_number", "must be a whole number", "doit être un nombre entier"),
    ("field.end_before_start", "is before the start date", "est antérieure à la date de début"),
    ("field.password_short", "a password needs at least 10 characters", "un mot de passe doit compter au moins 10 caractères"),
    // Reports.
    ("report.new.title", "Submit a field report", "Soumettre un rapport de terrain"),
    ("report.new.intro", "Describe what happened as precisely as you safely can. A report is kept exactly as submitted; analysts review it and link it to an incident.", "Décrivez ce qui s'est passé aussi précisément que vous le pouvez sans risque. Un rapport est conservé tel que soumis ; les analystes l'examinent et le rattachent à un incident."),
    ("report.title", "Field report", "Rapport de terrain"),
    ("report.occurred_on", "Date of the events", "Date des faits"),
    ("report.text", "Account", "Récit"),
    ("report.text_hint", "Who, what, where, when; how you know.", "Qui, quoi, où, quand ; comment vous le savez."),
    ("report.reporter_role", "You are reporting as", "Vous signalez en tant que"),
    ("report.reporter", "Reporter", "Auteur du signalement"),
    ("report.risk_to_source", "Risk to the source", "Risque pour la source"),
    ("report.visibility_hint", "Who may read this report. Organisation: your organisation only.", "Qui peut lire ce rapport. Organisation : votre organisation seulement."),
    ("report.submit", "Submit report", "Envoyer le rapport"),
    ("report.submitted", "Your report was received and saved. Keep its reference below.", "Votre rapport a été reçu et enregistré. Conservez sa référence ci-dessous."),
    ("report.linked", "The report is now linked to the incident.", "Le rapport est maintenant rattaché à l'incident."),
    ("report.triaged", "The triage decision was saved.", "La décision de tri a été enregistrée."),
    ("report.reference", "Reference", "Référence"),
    ("report.received", "Received", "Reçu le"),
    ("report.channel", "Channel", "Canal"),
    ("report.status", "Status", "Statut"),
    ("report.incident", "Incident", "Incident"),
    ("reports.total", "Reports", "Rapports"),
    ("reports.empty", "No reports.", "Aucun rapport."),
    ("mine.title", "My reports", "Mes rapports"),
    ("mine.intro", "The reports you submitted and where review has got to.", "Les rapports que vous avez soumis et l'état de leur examen."),
    ("triage.title", "Triage queue", "File de tri"),
    ("triage.decision", "Decision", "Décision"),
    ("triage.accept", "Accept", "Accepter"),
    ("triage.mark_spam", "Spam", "Indésirable"),
    ("triage.reject", "Reject", "Rejeter"),
    ("triage.reason", "Reason for rejection", "Motif du rejet"),
    ("triage.reason_required", "A rejection needs a reason.", "Un rejet doit être motivé."),
    ("triage.unknown_decision", "Choose Accept, Reject or Spam.", "Choisissez Accepter, Rejeter ou Indésirable."),
    ("link.title", "Link to an incident", "Rattacher à un incident"),
    ("link.incident", "Incident", "Incident"),
    ("link.incident_hint", "Its code (CAF-2013-000123) or identifier.", "Son code (CAF-2013-000123) ou son identifiant."),
    ("link.submit", "Link", "Rattacher"),
    ("link.required", "Enter an incident code or identifier.", "Saisissez un code ou un identifiant d'incident."),
    ("link.unknown", "No incident you may see has this code or identifier.", "Aucun incident visible pour vous ne porte ce code ou cet identifiant."),
    ("link.create_incident", "Create incident from this report", "Créer un incident à partir de ce rapport"),
    ("dup.title", "Possible duplicates", "Doublons possibles"),
    ("dup.none", "No similar incident found.", "Aucun incident semblable trouvé."),
    ("dup.reasons", "Why", "Pourquoi"),
    ("dup.link_here", "Link to this incident", "Rattacher à cet incident"),
    ("dup.link_instead", "Link the report to this incident instead", "Rattacher plutôt le rapport à cet incident"),
    ("dup.check", "Check for duplicates", "Rechercher des doublons"),
    ("dup.hint", "Check for duplicates before saving: incidents of the same country within a week are compared.", "Recherchez les doublons avant d'enregistrer : les incidents du même pays à une semaine près sont comparés."),
    ("dup.need_fields", "Enter the country and start date first.", "Saisissez d'abord le pays et la date de début."),
    ("dup.review", "Similar incidents already exist. Review them below; save again to create the incident anyway.", "Des incidents semblables existent déjà. Examinez-les ci-dessous ; enregistrez à nouveau pour créer l'incident malgré tout."),
    ("dup.same_country", "same country ({country})", "même pays ({country})"),
    ("dup.same_dates", "same dates", "mêmes dates"),
    ("dup.days_apart", "{n} day(s) apart", "à {n} jour(s) d'écart"),
    ("dup.km_apart", "{km} km apart", "à {km} km"),
    ("dup.similar_text", "similar text ({pct})", "texte semblable ({pct})"),
    // Incidents.
    ("incidents.title", "Incidents", "Incidents"),
    ("incidents.total", "Incidents found", "Incidents trouvés"),
    ("incidents.showing", "showing", "affichés"),
    ("incidents.empty", "No incident matches these filters.", "Aucun incident ne correspond à ces filtres."),
    ("filter.from", "From", "Du"),
    ("filter.to", "To", "Au"),
    ("filter.q", "Search", "Recherche"),
    ("filter.reset", "Clear filters", "Effacer les filtres"),
    ("filter.invalid", "Some filters could not be read:", "Certains filtres n'ont pas pu être lus :"),
    ("filter.paging", "Page", "Page"),
    ("incident.new.title", "New incident", "Nouvel incident"),
    ("incident.new.from_report", "Prefilled from", "Prérempli à partir du"),
    ("incident.code", "Code", "Code"),
    ("incident.title_field", "Title", "Titre"),
    ("incident.summary", "Summary", "Résumé"),
    ("incident.date", "Dates", "Dates"),
    ("incident.date_start", "Start date", "Date de début"),
    ("incident.date_end", "End date", "Date de fin"),
    ("incident.date_precision", "Date precision (UCDP)", "Précision de la date (UCDP)"),
    ("incident.place", "Place", "Lieu"),
    ("incident.admin2", "District (admin 2)", "District (niveau admin. 2)"),
    ("incident.place_precision", "Place precision (UCDP)", "Précision du lieu (UCDP)"),
    ("incident.event_type", "Event type (ACLED)", "Type d'événement (ACLED)"),
    ("incident.sub_event_type", "Sub-event type (ACLED)", "Sous-type d'événement (ACLED)"),
    ("incident.violence_type", "Type of violence (UCDP)", "Type de violence (UCDP)"),
    ("incident.crime", "Crime", "Crime"),
    ("incident.crimes", "Atrocity crimes", "Crimes atroces"),
    ("incident.fatalities", "Fatalities", "Victimes décédées"),
    ("incident.fatalities_best", "Deaths (best estimate)", "Décès (meilleure estimation)"),
    ("incident.fatalities_low", "Deaths (low)", "Décès (bas)"),
    ("incident.fatalities_high", "Deaths (high)", "Décès (haut)"),
    ("incident.fatalities_civilians", "Civilian deaths", "Décès de civils"),
    ("incident.status", "Status", "Statut"),
    ("incident.verification_level", "Verification level", "Niveau de vérification"),
    ("incident.assignee", "Assigned to", "Attribué à"),
    ("incident.external_ref", "External reference", "Référence externe"),
    ("incident.updated_at", "Last changed", "Dernière modification"),
    ("incident.facts", "Facts", "Faits"),
    ("incident.when", "When", "Quand"),
    ("incident.where", "Where", "Où"),
    ("incident.what", "What", "Quoi"),
    ("incident.reports", "Linked reports", "Rapports rattachés"),
    ("incident.created", "The incident was created.", "L'incident a été créé."),
    ("incident.created_linked", "The incident was created and the report linked to it.", "L'incident a été créé et le rapport y a été rattaché."),
    ("incident.created_not_linked", "The incident was created, but the report could not be linked to it; link it from the report's page.", "L'incident a été créé, mais le rapport n'a pas pu y être rattaché ; rattachez-le depuis la page du rapport."),
    ("incident.status_changed", "The status was changed.", "Le statut a été modifié."),
    ("workflow.title", "Verification workflow", "Processus de vérification"),
    ("workflow.next", "Next status", "Statut suivant"),
    ("workflow.explanation", "Explanation (kept in the history)", "Explication (conservée dans l'historique)"),
    ("workflow.submit", "Change status", "Changer le statut"),
    ("workflow.final", "This incident is closed; its status can no longer change.", "Cet incident est clos ; son statut ne peut plus changer."),
    ("lock.held", "Being edited by {user} since {time}", "En cours de modification par {user} depuis {time}"),
    ("lock.take", "Edit coding", "Modifier le codage"),
    ("lock.release", "Done editing", "Terminer la modification"),
    ("lock.yours", "You are editing this incident's coding; others see that it is being edited.", "Vous modifiez le codage de cet incident ; les autres voient qu'il est en cours de modification."),
    ("lock.taken", "You may now edit the coding.", "Vous pouvez maintenant modifier le codage."),
    ("lock.released", "Editing finished; others may edit the coding again.", "Modification terminée ; d'autres peuvent à nouveau modifier le codage."),
    ("acts.title", "Acts (Rome Statute)", "Actes (Statut de Rome)"),
    ("acts.empty", "No act coded yet.", "Aucun acte codé pour l'instant."),
    ("acts.provision", "Provision", "Disposition"),
    ("acts.statute", "Text of the Statute", "Texte du Statut"),
    ("acts.victims", "Victims", "Victimes"),
    ("acts.victim_description", "Victims (description)", "Victimes (description)"),
    ("acts.victim_count", "Number of victims", "Nombre de victimes"),
    ("acts.add", "Add act", "Ajouter l'acte"),
    ("parties.title", "Perpetrators, victims and other parties", "Auteurs, victimes et autres parties"),
    ("parties.empty", "No party recorded yet.", "Aucune partie enregistrée pour l'instant."),
    ("parties.role", "Role", "Rôle"),
    ("parties.name", "Name", "Nom"),
    ("parties.kind", "Kind", "Type"),
    ("parties.degree", "Form of participation", "Mode de participation"),
    ("parties.degree_hint", "direct, ordered, aided, failed to prevent…", "direct, ordonné, complicité, défaut de prévention…"),
    ("parties.act", "Act", "Acte"),
    ("parties.existing", "Party", "Partie"),
    ("parties.new_party", "New party (fill in below)", "Nouvelle partie (à remplir ci-dessous)"),
    ("parties.add", "Add party", "Ajouter la partie"),
    ("sources.title", "Sources", "Sources"),
    ("sources.empty", "No source cited yet.", "Aucune source citée pour l'instant."),
    ("sources.source", "Source", "Source"),
    ("sources.title_field", "Title", "Titre"),
    ("sources.outlet", "Outlet or author", "Média ou auteur"),
    ("sources.url", "Address (URL)", "Adresse (URL)"),
    ("sources.published_on", "Published on", "Publié le"),
    ("sources.connection", "Connection to the events", "Lien avec les faits"),
    ("sources.reliability", "Reliability of the source", "Fiabilité de la source"),
    ("sources.credibility", "Credibility of the information", "Crédibilité de l'information"),
    ("sources.grade", "Grade", "Cote"),
    ("sources.reference", "Passage", "Passage"),
    ("sources.reference_hint", "page, paragraph or timestamp", "page, paragraphe ou horodatage"),
    ("sources.note", "Note", "Note"),
    ("sources.add", "Add source", "Ajouter la source"),
    ("coding.act_added", "The act was added.", "L'acte a été ajouté."),
    ("coding.involvement_added", "The party was added.", "La partie a été ajoutée."),
    ("coding.citation_added", "The source was cited.", "La source a été citée."),
    ("history.title", "History", "Historique"),
    ("history.empty", "No history recorded.", "Aucun historique enregistré."),
    ("history.time", "Time", "Date et heure"),
    ("history.actor", "By", "Par"),
    ("history.action", "Action", "Action"),
    ("history.explanation", "Explanation", "Explication"),
    // Administration.
    ("admin.title", "Administration", "Administration"),
    ("admin.organisations", "Organisations", "Organisations"),
    ("admin.slug", "Short name", "Nom court"),
    ("admin.slug_hint", "lower-case letters, digits and dashes", "minuscules, chiffres et tirets"),
    ("admin.name", "Name", "Nom"),
    ("admin.networks", "Networks", "Réseaux"),
    ("admin.networks_hint", "Short names, separated by commas.", "Noms courts, séparés par des virgules."),
    ("admin.add_org", "Add organisation", "Ajouter l'organisation"),
    ("admin.org_added", "The organisation was added.", "L'organisation a été ajoutée."),
    ("admin.users", "Users of your organisation", "Utilisateurs de votre organisation"),
    ("admin.role", "Role", "Rôle"),
    ("admin.second_factor", "Second factor", "Second facteur"),
    ("admin.created", "Created", "Créé le"),
    ("admin.password_hint", "At least 10 characters.", "Au moins 10 caractères."),
    ("admin.add_user", "Add user", "Ajouter l'utilisateur"),
    ("admin.user_added", "The user was added.", "L'utilisateur a été ajouté."),
    ("admin.duplicate", "already exists", "existe déjà"),
    // Vocabularies, looked up as `prefix.word`.
    ("reporter.witness", "Witness", "Témoin"),
    ("reporter.victim", "Victim", "Victime"),
    ("reporter.relative", "Relative of a victim", "Proche d'une victime"),
    ("reporter.monitor", "Monitor", "Observateur"),
    ("reporter.journalist", "Journalist", "Journaliste"),
    ("reporter.official", "Official", "Agent public"),
    ("reporter.other", "Other", "Autre"),
    ("reporter.anonymous", "Anonymous", "Anonyme"),
    ("risk.low", "Low", "Faible"),
    ("risk.medium", "Medium", "Moyen"),
    ("risk.high", "High", "Élevé"),
    ("risk.critical", "Critical", "Critique"),
    ("channel.web", "Web form", "Formulaire web"),
    ("channel.api", "API", "API"),
    ("channel.sms", "SMS", "SMS"),
    ("channel.email", "E-mail", "Courriel"),
    ("channel.field_monitor", "Field monitor", "Observateur de terrain"),
    ("channel.partner_api", "Partner system", "Système partenaire"),
    ("channel.bulk_import", "Bulk import", "Import en masse"),
    ("violence.state_based", "State-based conflict", "Conflit impliquant un État"),
    ("violence.non_state", "Non-state conflict", "Conflit non étatique"),
    ("violence.one_sided", "One-sided violence", "Violence unilatérale"),
    ("verification.unverified", "Unverified", "Non vérifié"),
    ("verification.single_source", "Single source", "Source unique"),
    ("verification.corroborated", "Corroborated", "Corroboré"),
    ("verification.confirmed", "Confirmed", "Confirmé"),
    ("involvement.perpetrator", "Perpetrator", "Auteur"),
    ("involvement.suspected_perpetrator", "Suspected perpetrator", "Auteur présumé"),
    ("involvement.commander", "Commander", "Commandant"),
    ("involvement.victim", "Victim", "Victime"),
    ("involvement.witness", "Witness", "Témoin"),
    ("involvement.source", "Source", "Source"),
    ("involvement.intervening_party", "Intervening party", "Partie intervenante"),
    ("party_kind.person", "Person", "Personne"),
    ("party_kind.group", "Group", "Groupe"),
    ("party_kind.armed_unit", "Armed unit", "Unité armée"),
    ("connection.eyewitness", "Eyewitness", "Témoin oculaire"),
    ("connection.victim", "Victim", "Victime"),
    ("connection.hearsay", "Hearsay", "Ouï-dire"),
    ("connection.official_record", "Official record", "Document officiel"),
    ("connection.media", "Media", "Média"),
    ("connection.osint", "Open-source research", "Recherche en sources ouvertes"),
    ("connection.dataset", "Dataset", "Jeu de données"),
    ("reliability.A", "Completely reliable", "Entièrement fiable"),
    ("reliability.B", "Usually reliable", "Habituellement fiable"),
    ("reliability.C", "Fairly reliable", "Assez fiable"),
    ("reliability.D", "Not usually reliable", "Habituellement peu fiable"),
    ("reliability.E", "Unreliable", "Peu fiable"),
    ("reliability.F", "Reliability cannot be judged", "Fiabilité impossible à évaluer"),
    ("credibility.1", "Confirmed by other sources", "Confirmée par d'autres sources"),
    ("credibility.2", "Probably true", "Probablement vraie"),
    ("credibility.3", "Possibly true", "Peut-être vraie"),
    ("credibility.4", "Doubtful", "Douteuse"),
    ("credibility.5", "Improbable", "Improbable"),
    ("credibility.6", "Truth cannot be judged", "Véracité impossible à évaluer"),
    ("date_precision.1", "exact date", "date exacte"),
    ("date_precision.2", "within 2-6 days", "à 2-6 jours près"),
    ("date_precision.3", "within the week", "à la semaine près"),
    ("date_precision.4", "within the month", "au mois près"),
    ("date_precision.5", "more than a month, within the year", "plus d'un mois, dans l'année"),
    ("place_precision.1", "exact location", "lieu exact"),
    ("place_precision.2", "within 25 km", "à 25 km près"),
    ("place_precision.3", "second-order administrative division", "division administrative de deuxième niveau"),
    ("place_precision.4", "first-order administrative division", "division administrative de premier niveau"),
    ("place_precision.5", "linear feature or area larger than admin1", "élément linéaire ou zone plus vaste qu'une région"),
    ("place_precision.6", "country only", "pays seulement"),
    ("place_precision.7", "international waters or airspace", "eaux ou espace aérien internationaux"),
    ("action.create", "Created", "Création"),
    ("action.import", "Imported", "Import"),
    ("action.set_status", "Status changed", "Changement de statut"),
    ("action.assign", "Assigned", "Attribution"),
    ("action.submit", "Submitted", "Soumission"),
    ("action.link", "Linked", "Rattachement"),
    ("action.triage_accept", "Accepted", "Acceptation"),
    ("action.triage_reject", "Rejected", "Rejet"),
    ("action.triage_spam", "Marked as spam", "Marqué indésirable"),
    ("evidence.title", "Evidence", "Preuves"),
    ("evidence.open", "Evidence of this record", "Preuves de cette fiche"),
    ("evidence.item", "Evidence item", "Élément de preuve"),
    ("evidence.empty", "No evidence yet.", "Aucune preuve pour l'instant."),
    ("evidence.name", "File name (as sent)", "Nom du fichier (tel qu'envoyé)"),
    ("evidence.type", "Type (from the content)", "Type (d'après le contenu)"),
    ("evidence.size", "Size", "Taille"),
    ("evidence.sha256", "SHA-256", "SHA-256"),
    ("evidence.received_at", "Received", "Reçu"),
    ("evidence.received_by", "Received by", "Reçu par"),
    ("evidence.key_version", "Key version", "Version de clé"),
    ("evidence.file", "File", "Fichier"),
    ("evidence.upload", "Seal and add", "Sceller et ajouter"),
    ("evidence.upload_help", "The file is hashed and encrypted as it arrives; the original is sealed and never altered.", "Le fichier est haché et chiffré à son arrivée ; l'original est scellé et jamais modifié."),
    ("evidence.received", "The evidence was received, hashed and sealed.", "La preuve a été reçue, hachée et scellée."),
    ("evidence.upload_failed", "The evidence was not stored", "La preuve n'a pas été enregistrée"),
    ("evidence.no_file", "Choose a file to send.", "Choisissez un fichier à envoyer."),
    ("evidence.no_vault", "This server has no evidence vault.", "Ce serveur n'a pas de coffre de preuves."),
    ("evidence.locked_title", "Keys locked.", "Clés verrouillées."),
    ("evidence.locked", "Evidence can be received, but not viewed or exported until an administrator unlocks the organisation's keys with its passphrase.", "Les preuves peuvent être reçues, mais ni consultées ni exportées tant qu'un administrateur n'a pas déverrouillé les clés de l'organisation avec sa phrase secrète."),
    ("evidence.lost_passphrase", "A lost passphrase without enough recovery shares means the evidence can never be read again.", "Une phrase secrète perdue sans assez de parts de récupération rend les preuves illisibles à jamais."),
    ("evidence.unreadable", "The evidence cannot be served", "La preuve ne peut pas être servie"),
    ("evidence.view_copy", "View working copy", "Voir la copie de travail"),
    ("evidence.download_copy", "Download working copy (metadata removed)", "Télécharger la copie de travail (métadonnées retirées)"),
    ("evidence.download_original", "Download sealed original", "Télécharger l'original scellé"),
    ("evidence.custody_note", "Every view and download is written in the custody log.", "Chaque consultation et chaque téléchargement sont inscrits au registre de garde."),
    ("evidence.capture", "Capture metadata", "Métadonnées de capture"),
    ("evidence.similar", "Near-duplicates", "Quasi-doublons"),
    ("evidence.no_similar", "No similar image among the evidence you may see.", "Aucune image semblable parmi les preuves visibles pour vous."),
    ("evidence.custody", "Chain of custody", "Chaîne de garde"),
    ("evidence.detail", "Detail", "Détail"),
    ("evidence.entry_hash", "Entry hash", "Empreinte de l'entrée"),
    ("custody.receive", "Received", "Reçu"),
    ("custody.hash", "Hashed", "Haché"),
    ("custody.seal", "Sealed", "Scellé"),
    ("custody.view", "Viewed", "Consulté"),
    ("custody.download", "Downloaded", "Téléchargé"),
    ("custody.derive", "Copy derived", "Copie dérivée"),
    ("custody.export", "Exported", "Exporté"),
    ("custody.transfer", "Transferred", "Transféré"),
    ("custody.verify", "Verified", "Vérifié"),
    ("custody.deletion_request", "Deletion requested", "Suppression demandée"),
    ("nav.signals", "Escalation signals", "Signaux d'escalade"),
    ("signals.title", "Escalation signals", "Signaux d'escalade"),
    ("signals.explain", "Periods in which a region's count of events stood out from its own recent past, from the latest detect run of each level and period. A signal is a prompt to read the events, not a finding.", "Périodes où le nombre d'événements d'une région s'écarte de son passé récent, selon la dernière détection de chaque niveau et période. Un signal invite à lire les événements ; ce n'est pas une conclusion."),
    ("signals.level_label", "Level", "Niveau"),
    ("signals.period_label", "Period", "Période"),
    ("signals.method_label", "Method", "Méthode"),
    ("signals.level.country", "Country", "Pays"),
    ("signals.level.admin1", "Province / region", "Province / région"),
    ("signals.period.week", "Week", "Semaine"),
    ("signals.period.month", "Month", "Mois"),
    ("signals.trend_of", "Events per period in", "Événements par période :"),
    ("signals.total", "Signals", "Signaux"),
    ("signals.empty", "No signal matches. Run `kinga detect` after importing event data.", "Aucun signal ne correspond. Lancez `kinga detect` après avoir importé des données d'événements."),
    ("signals.period_start", "Period starting", "Période commençant le"),
    ("signals.observed", "Observed", "Observé"),
    ("signals.expected", "Expected", "Attendu"),
    ("signals.score", "Score / threshold", "Score / seuil"),
    ("signals.legend_events", "events", "événements"),
    ("signals.legend_signal", "period with a signal", "période avec signal"),
    ("signals.whole_country", "whole country", "tout le pays"),
    ("signals.unplaced", "place unknown", "lieu inconnu"),
    ("signals.behind", "Events behind the newest signal shown, period starting", "Événements derrière le signal le plus récent affiché, période commençant le"),
    ("signals.event_date", "Date", "Date"),
    ("signals.event_place", "Place", "Lieu"),
    ("signals.event_violence", "Violence", "Violence"),
    ("signals.event_fatalities", "Deaths (best)", "Morts (meilleure estimation)"),
    ("signals.event_actors", "Actors", "Acteurs"),
    ("signals.event_source", "Dataset record", "Enregistrement source"),
    ("incident.signals.title", "Escalation signals in this region", "Signaux d'escalade dans cette région"),
    ("incident.signals.window", "Signals of the incident's country, and of its province when one is recorded, for periods starting from 90 days before the incident to 30 days after it.", "Signaux du pays de l'incident, et de sa province si elle est indiquée, pour les périodes commençant de 90 jours avant l'incident à 30 jours après."),
    ("incident.signals.none", "No escalation signal in this region around the incident's dates among the data you may see.", "Aucun signal d'escalade dans cette région autour des dates de l'incident parmi les données visibles pour vous."),
    ("incident.signals.all", "Open these signals with the region's trend", "Ouvrir ces signaux avec l'évolution de la région"),
    ("incident.signals.score", "Score", "Score"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("directory is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                files(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }

    /// Keys written as `t.get("…")` (also `v.t.get`, `page.t.get`), but not `form.get("…")`.
    fn keys_in(text: &str) -> Vec<String> {
        let needle = "t.get(\"";
        let mut keys = Vec::new();
        let mut from = 0;
        while let Some(at) = text[from..].find(needle) {
            let start = from + at;
            from = start + needle.len();
            let before = text[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(end) = text[from..].find('"') {
                keys.push(text[from..from + end].to_string());
            }
        }
        keys
    }

    #[test]
    fn every_key_in_use_exists_in_both_languages() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        files(&root.join("templates"), "html", &mut sources);
        files(&root.join("src/ui"), "rs", &mut sources);
        // This file holds the texts, and this test's own examples of what it looks for.
        sources.retain(|p| !p.ends_with("src/ui/i18n.rs"));
        let mut missing = Vec::new();
        let mut used = 0;
        for path in &sources {
            let text = std::fs::read_to_string(path).expect("source is readable");
            for key in keys_in(&text) {
                used += 1;
                match TEXTS.get(key.as_str()) {
                    Some((en, fr)) if !en.trim().is_empty() && !fr.trim().is_empty() => {}
                    _ => missing.push(format!("{}: {key}", path.display())),
                }
            }
        }
        assert!(used > 100, "only {used} keys found; is the scan broken?");
        assert!(missing.is_empty(), "texts missing:\n{}", missing.join("\n"));
    }

    #[test]
    fn keys_are_unique_and_texts_complete() {
        let mut seen = std::collections::HashSet::new();
        for (key, en, fr) in ENTRIES {
            assert!(seen.insert(*key), "'{key}' is listed twice");
            assert!(
                !en.trim().is_empty() && !fr.trim().is_empty(),
                "'{key}' lacks a text"
            );
        }
    }

    #[test]
    fn the_scan_skips_other_gets() {
        assert_eq!(
            keys_in(r#"form.get("csrf"); v.t.get("a.b"); t.get("c")"#),
            vec!["a.b".to_string(), "c".to_string()]
        );
    }
}
