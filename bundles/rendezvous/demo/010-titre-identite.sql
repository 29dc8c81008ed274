-- RendezVous demo content: one appointment form a decision maker can book from the front office.
-- "Demande de titre d'identité": Monday to Friday, 9:00 to 12:00 and 14:00 to 17:00 (a closed slot between
-- keeps the day's slots contiguous, as plugin-appointment walks them), 30-minute slots of two places,
-- open from today for the weeks to come, four weeks shown at a time. No workflow, no captcha, e-mail
-- optional: a booking needs only a name.
-- Written for plugin-appointment's own schema (create_db_appointment.sql of 3.0.7, which 3.0.8 keeps; it
-- adds an index only). Loaded once, at the first set-up, when demo content is on (CITELIBRE_DEMO_CONTENT=1)
-- and the plugin holds no form yet, in one transaction (citelibre-entrypoint, site-setup.sh).

INSERT INTO appointment_category (label, nb_max_appointments_per_user)
SELECT 'Titres d''identité', 0 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM appointment_category WHERE label = 'Titres d''identité');
SET @category = (SELECT id_category FROM appointment_category WHERE label = 'Titres d''identité');

INSERT INTO appointment_form (title, description, reference, id_category, starting_validity_date, ending_validity_date, is_active,
  id_workflow, workgroup, is_multislot_appointment, role_fo, capacity_per_slot, nb_consecutive_slots, is_anonymizable, anonymization_pattern)
VALUES ('Demande de titre d''identité',
  'Prenez rendez-vous pour déposer une demande de carte nationale d''identité ou de passeport à l''accueil de la mairie.',
  'CNI', @category, CURDATE(), NULL, 1, NULL, 'all', 0, 'none', 2, 1, 0, NULL);
SET @form = LAST_INSERT_ID();

INSERT INTO appointment_display (display_title_fo, icon_form_content, icon_form_mime_type, nb_weeks_to_display, is_displayed_on_portlet, id_calendar_template, id_form)
VALUES (1, NULL, NULL, 4, 1,
  COALESCE((SELECT id_calendar_template FROM appointment_calendar_template WHERE template_path = 'skin/plugins/appointment/calendar/appointment_form_calendar.html' LIMIT 1), 1),
  @form);

INSERT INTO appointment_form_message (id_form, calendar_title, field_firstname_title, field_firstname_help, field_lastname_title, field_lastname_help,
  field_email_title, field_email_help, field_confirmationEmail_title, field_confirmationEmail_help, text_appointment_created,
  url_redirect_after_creation, text_appointment_canceled, label_button_redirection, no_available_slot, calendar_description,
  calendar_reserve_label, calendar_full_label)
VALUES (@form, 'Choisissez un créneau', 'Prénom', '', 'Nom', '', 'Adresse électronique', 'Facultative : pour recevoir la confirmation',
  'Confirmation de l''adresse électronique', 'Saisissez-la une seconde fois',
  '<p>Votre rendez-vous du %%DATE%% de %%HEURE_DEBUT%% à %%HEURE_FIN%% est enregistré sous la référence <strong>%%REF%%</strong>.</p><p>Présentez-vous à l''accueil de la mairie avec vos justificatifs et une photo d''identité récente.</p>',
  '', '<p>Votre rendez-vous est annulé.</p>', 'Retour à l''accueil', 'Aucun créneau n''est disponible pour le moment.',
  '<p>Les créneaux durent 30 minutes. Prévoyez vos justificatifs de domicile et d''état civil.</p>', 'Réserver', 'Complet');

INSERT INTO appointment_localization (longitude, latitude, address, id_form) VALUES (NULL, NULL, 'Accueil de la mairie', @form);

INSERT INTO appointment_form_rule (is_captcha_enabled, is_mandatory_email_enabled, is_active_authentication, nb_days_before_new_appointment,
  min_time_before_appointment, nb_max_appointments_per_user, nb_days_for_max_appointments_per_user, bo_overbooking, id_form)
VALUES (0, 0, 0, 0, 0, 0, 0, 0, @form);

INSERT INTO appointment_reservation_rule (name, description, color, enable, max_capacity_per_slot, max_people_per_appointment, duration_appointments, id_form)
VALUES ('Semaine type', 'Du lundi au vendredi, 9 h - 12 h et 14 h - 17 h', '#4d8fd6', 1, 2, 1, 30, @form);
SET @rule = LAST_INSERT_ID();

-- The typical week applies from today on (appointment.endingDateTypical.week of the plugin's own properties).
INSERT INTO appointment_week_definition (id_reservation_rule, date_of_apply, ending_date_of_apply) VALUES (@rule, CURDATE(), '2050-12-31');

INSERT INTO appointment_working_day (day_of_week, id_reservation_rule)
SELECT day_of_week, @rule FROM (SELECT 1 AS day_of_week UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5) AS days;

-- Half-hour slots from 9:00 to 17:00 on each working day, closed from 12:00 to 14:00.
INSERT INTO appointment_time_slot (starting_time, ending_time, is_open, max_capacity, id_working_day)
WITH RECURSIVE slot_start (starting_time) AS (
  SELECT CAST('09:00:00' AS TIME)
  UNION ALL
  SELECT ADDTIME(starting_time, '00:30:00') FROM slot_start WHERE starting_time < CAST('16:30:00' AS TIME)
)
SELECT s.starting_time, ADDTIME(s.starting_time, '00:30:00'), s.starting_time < CAST('12:00:00' AS TIME) OR s.starting_time >= CAST('14:00:00' AS TIME), 2, d.id_working_day
FROM slot_start AS s CROSS JOIN appointment_working_day AS d
WHERE d.id_reservation_rule = @rule;
