<?php
// Import the course's Moodle XML and GIFT exports into a real Moodle with Moodle's own format classes (the calls
// the question bank's Import page makes), then grade given responses with Moodle's question engine.
//
// Driven by tools/moodle/check.py, which writes the manifest and compares the marks with the course's grader:
//
//   php tools/moodle/check.php --moodle=/tmp/moodle-src --manifest=manifest.json --out=result.json
//
// manifest: {"files": [{"path": ..., "format": "xml"|"gift",
//                       "responses": {item id: [{"label": ..., "response": <descriptor>}, ...]}}]}
// A descriptor names what a learner chose by the text they saw (so shuffled orders do not matter):
//   {"pick": [option text, ...]}            multiple choice (one or several)
//   {"answer": "345.6 mg"}                   numerical
//   {"pairs": [[row text, choice text], ...]} matching
//   {"order": [step text, ...]}              ordering
//   {"subs": [descriptor, ...]}              Cloze: one descriptor per embedded sub-question, in text order
//
// Each run creates a new course, imports every file into that course's question bank, grades, and deletes the
// course (and with it every question it imported), so runs repeat from a clean state.

define('CLI_SCRIPT', true);

$opts = getopt('', ['moodle:', 'manifest:', 'out:', 'keep']);
if (empty($opts['moodle']) || empty($opts['manifest']) || empty($opts['out'])) {
    fwrite(STDERR, "usage: php check.php --moodle=DIR --manifest=FILE --out=FILE [--keep]\n");
    exit(2);
}
require($opts['moodle'] . '/config.php');
$CFG->debug = DEBUG_DEVELOPER;      // a failure names its cause and place
$CFG->debugdisplay = 1;
require_once($CFG->libdir . '/questionlib.php');
require_once($CFG->dirroot . '/course/lib.php');
require_once($CFG->dirroot . '/question/format.php');
require_once($CFG->dirroot . '/question/format/xml/format.php');
require_once($CFG->dirroot . '/question/format/gift/format.php');
require_once($CFG->dirroot . '/question/engine/lib.php');

use core_question\local\bank\question_edit_contexts;

const COURSE_PREFIX = 'her2-export-check-';

/** Text as a learner reads it: no tags, entities decoded, white space collapsed. */
function her2_norm(string $html): string {
    $text = html_entity_decode(strip_tags($html), ENT_QUOTES | ENT_HTML5, 'UTF-8');
    return trim(preg_replace('/\s+/u', ' ', $text));
}

/** The key of the entry in $texts (key => html) whose text is $want (plain text); an exception if none. */
function her2_find(array $texts, string $want, string $what) {
    $want = trim(preg_replace('/\s+/u', ' ', $want));
    foreach ($texts as $key => $html) {
        if (her2_norm($html) === $want) {
            return $key;
        }
    }
    $seen = implode(' | ', array_map('her2_norm', $texts));
    throw new Exception("no $what with the text '$want' (the question has: $seen)");
}

/** Moodle's response variables for a multiple-choice question (or Cloze sub-question) and the texts picked. */
function her2_multichoice($q, question_attempt $qa, array $picked): array {
    $order = $q->get_order($qa);                     // display position => answer id
    $texts = [];
    foreach ($order as $pos => $answerid) {
        $texts[$pos] = $q->answers[$answerid]->answer;
    }
    if ($q instanceof qtype_multichoice_single_question) {
        if (count($picked) !== 1) {
            throw new Exception('a single-answer question takes exactly one choice');
        }
        return ['answer' => her2_find($texts, $picked[0], 'answer')];
    }
    $data = [];
    foreach ($order as $pos => $answerid) {
        $data['choice' . $pos] = 0;
    }
    foreach ($picked as $text) {
        $data['choice' . her2_find($texts, $text, 'answer')] = 1;
    }
    return $data;
}

/** Moodle's response variables for one question, from a descriptor. */
function her2_response(question_attempt $qa, array $desc): array {
    $q = $qa->get_question();
    $type = $q->get_type_name();
    if ($type === 'multichoice') {
        if (!isset($desc['pick']) && count($desc['subs'] ?? []) === 1) {
            $desc = $desc['subs'][0];                // a one-blank cloze, which GIFT writes as "missing word"
        }
        return her2_multichoice($q, $qa, $desc['pick']);
    }
    if ($type === 'numerical') {
        return ['answer' => $desc['answer']];
    }
    if ($type === 'match') {
        $stems = [];
        foreach ($q->get_stem_order() as $pos => $stemid) {
            $stems[$pos] = $q->stems[$stemid];
        }
        $choices = [];
        foreach ($q->get_choice_order() as $key => $choiceid) {
            $choices[$key] = $q->choices[$choiceid];
        }
        $data = [];
        foreach ($stems as $pos => $notused) {
            $data['sub' . $pos] = 0;
        }
        foreach ($desc['pairs'] as [$stem, $choice]) {
            $data['sub' . her2_find($stems, $stem, 'row')] = her2_find($choices, $choice, 'choice');
        }
        return $data;
    }
    if ($type === 'ordering') {
        $texts = [];
        foreach ($q->answers as $answer) {
            $texts[$answer->md5key] = $answer->answer;
        }
        $keys = [];
        foreach ($desc['order'] as $text) {
            $keys[] = her2_find($texts, $text, 'step');
        }
        return [$q->get_response_fieldname() => implode(',', $keys)];
    }
    if ($type === 'multianswer') {
        $places = array_values($q->places);          // text order => sub-question key
        if (count($places) !== count($desc['subs'])) {
            throw new Exception(count($places) . ' embedded sub-questions, ' . count($desc['subs']) . ' responses');
        }
        $data = [];
        foreach ($places as $i => $key) {
            $sub = $q->subquestions[$key];
            if ($sub->get_type_name() !== 'multichoice') {
                throw new Exception("sub-question $key is " . $sub->get_type_name() . ', expected multichoice');
            }
            foreach (her2_multichoice($sub, $qa, $desc['subs'][$i]['pick']) as $name => $value) {
                $data['sub' . $key . '_' . $name] = $value;
            }
        }
        return $data;
    }
    throw new Exception("question type $type is not handled by this check");
}

/** Grade one response with the deferred-feedback behaviour (a quiz's default): save, then finish. */
function her2_grade(question_definition $question, array $desc, context $context): array {
    $quba = question_engine::make_questions_usage_by_activity('core_question_preview', $context);
    $quba->set_preferred_behaviour('deferredfeedback');
    $slot = $quba->add_question($question, $question->defaultmark);
    $quba->start_question($slot);
    $qa = $quba->get_question_attempt($slot);
    $data = her2_response($qa, $desc);
    $quba->process_action($slot, $data);
    $complete = $qa->get_question()->is_complete_response($qa->get_last_qt_data());
    $quba->finish_question($slot);
    return [
        'fraction' => $quba->get_question_fraction($slot),
        'mark' => $quba->get_question_mark($slot),
        'maxmark' => (float) $quba->get_question_max_mark($slot),
        'state' => (string) $quba->get_question_state($slot),
        'complete' => $complete,
        'summary' => $qa->get_response_summary(),
    ];
}

/** Import one file into $course's question bank exactly as the Import page does (its default settings). */
function her2_import(array $file, stdClass $course, context $context, question_edit_contexts $contexts): array {
    global $DB;
    $class = $file['format'] === 'gift' ? 'qformat_gift' : 'qformat_xml';
    $qformat = new $class();
    $qformat->setCategory(question_make_default_categories($contexts->all()));
    $qformat->setContexts($contexts->having_one_edit_tab_cap('import'));
    $qformat->setCourse($course);
    $qformat->setFilename($file['path']);
    $qformat->setRealfilename(basename($file['path']));
    $qformat->setMatchgrades('error');
    $qformat->setCatfromfile(true);
    $qformat->setContextfromfile(true);
    $qformat->setStoponerror(true);
    $qformat->set_display_progress(false);
    $error = null;
    ob_start();
    try {
        if (!$qformat->importpreprocess() || !$qformat->importprocess() || !$qformat->importpostprocess()) {
            $error = 'Moodle reported that the import failed';
        }
    } catch (Throwable $e) {
        if ($DB->is_transaction_started()) {
            $DB->force_transaction_rollback();
        }
        $error = get_class($e) . ': ' . $e->getMessage() . (isset($e->debuginfo) ? ' [' . $e->debuginfo . ']' : '');
    }
    $output = trim(html_to_text(ob_get_clean(), 0, false));
    $ids = [];
    foreach ($qformat->questionids as $id) {
        if ($DB->record_exists('question', ['id' => $id])) {   // the one a failure rolled back is gone
            $ids[] = (int) $id;
        }
    }
    return ['ids' => $ids, 'error' => $error, 'output' => $output];
}

\core\session\manager::set_user(get_admin());

// Leftovers of an interrupted run go first.
foreach ($DB->get_records_select('course', $DB->sql_like('shortname', '?'), [COURSE_PREFIX . '%']) as $old) {
    delete_course($old, false);
}

$manifest = json_decode(file_get_contents($opts['manifest']), true, 512, JSON_THROW_ON_ERROR);
$course = create_course((object) [
    'fullname' => 'HER2 course: LMS export check',
    'shortname' => COURSE_PREFIX . random_string(8),
    'category' => $DB->get_field_sql('SELECT MIN(id) FROM {course_categories}'),
]);
$context = context_course::instance($course->id);
$contexts = new question_edit_contexts($context);

$results = ['moodle' => $CFG->release, 'files' => []];
try {
    foreach ($manifest['files'] as $file) {
        $import = her2_import($file, $course, $context, $contexts);
        $questions = [];
        foreach ($import['ids'] as $id) {
            $question = question_bank::load_question($id);
            $entry = ['id' => $id, 'qtype' => $question->get_type_name(), 'defaultmark' => (float) $question->defaultmark,
                      'graded' => []];
            foreach ($file['responses'][$question->name] ?? [] as $case) {
                try {
                    $entry['graded'][$case['label']] = her2_grade($question, $case['response'], $context);
                } catch (Throwable $e) {
                    $entry['graded'][$case['label']] = ['error' => $e->getMessage()];
                }
            }
            $questions[$question->name] = $entry;
        }
        $results['files'][] = ['path' => $file['path'], 'error' => $import['error'], 'output' => $import['output'],
                               'questions' => (object) $questions];
    }
} finally {
    if (!isset($opts['keep'])) {
        delete_course($course, false);
    }
}
file_put_contents($opts['out'], json_encode($results, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES));
