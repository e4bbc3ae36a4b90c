/** The msg.topic values by which the plugin's nodes recognise each other's messages. */

/** The meter's answer to a history request (an array of readings), and the request itself. */
export const historyTopic = 'history';
/** A history array the anomaly node trains on now (the meter's history answer works too). */
export const trainTopic = 'train';
/** The household's answer to an alert (the notify node's output 2 works too, by its shape). */
export const feedbackTopic = 'feedback';
/** A training report, on the anomaly node's third output. */
export const trainedTopic = 'trained';
